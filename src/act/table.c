/* The table of every activation, indexed by act_kind, generated from ACT_LIST. */
#include "desc.h"

const struct act__desc *const act__table[ACT_COUNT] = {
#define X(id, name, value) [ACT_##id] = &act__desc_##name,
    ACT_LIST(X)
#undef X
};

_Static_assert(sizeof act__table / sizeof act__table[0] == ACT_COUNT, "act table out of sync");

/* Every value below ACT_COUNT; with the table above (a value given twice is an error there:
 * -Woverride-init), the values are 0 .. ACT_COUNT - 1, each once. */
#define X(id, name, value)                                                                 \
    _Static_assert(ACT_##id >= 0 && ACT_##id < ACT_COUNT,                                  \
                   "ACT_" #id ": values are 0 .. ACT_COUNT - 1 (the next one is ACT_COUNT)");
ACT_LIST(X)
#undef X

static const act_kind display[ACT_COUNT] = {
#define X(id, name, value) ACT_##id,
    ACT_LIST(X)
#undef X
};

act_kind act_kind_at(size_t i)
{
    return i < ACT_COUNT ? display[i] : ACT_COUNT;
}

const act_info *act_get_info(act_kind k)
{
    if ((unsigned)k >= ACT_COUNT)
        return NULL;
    return &act__table[k]->info;
}
