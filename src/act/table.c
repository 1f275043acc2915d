/* The table of every activation, indexed by act_kind, generated from ACT_LIST. */
#include "desc.h"

const struct act__desc *const act__table[ACT_COUNT] = {
#define X(id, name) [ACT_##id] = &act__desc_##name,
    ACT_LIST(X)
#undef X
};

_Static_assert(sizeof act__table / sizeof act__table[0] == ACT_COUNT, "act table out of sync");

const act_info *act_get_info(act_kind k)
{
    if ((unsigned)k >= ACT_COUNT)
        return NULL;
    return &act__table[k]->info;
}
