/* An outside program: uses only the installed header and library. */
#include <actlab/act.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
    act_spec s;
    float x[3] = {-1, 0, 1}, y[3];
    if (act_parse("leaky_relu:alpha=0.5", &s) || act_forward(&s, x, y, 3))
        return fprintf(stderr, "tiny: %s\n", al_last_error()), 1;
    if (strcmp(al_version_string(), "@PROJECT_VERSION@") != 0)
        return fprintf(stderr, "tiny: version %s\n", al_version_string()), 1;
    printf("%g %g %g\n", y[0], y[1], y[2]);
    return !(y[0] == -0.5f && y[1] == 0 && y[2] == 1);
}
