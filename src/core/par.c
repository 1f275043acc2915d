#include "par.h"

static _Thread_local int forbidden;

int al__par_allowed(void)
{
    return !forbidden;
}

int al__par_allow(int ok)
{
    int was = !forbidden;
    forbidden = !ok;
    return was;
}
