/* A program outside the project: only the public headers and the library. It checks an
 * activation against values worked out by hand, the library's version against the headers',
 * and writes its output through actlab/io.h, which a shared library must export. */
#include <actlab/act.h>
#include <actlab/io.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    act_spec s;
    float x[3] = {-1, 0, 1}, y[3];
    if (act_parse("leaky_relu:alpha=0.5", &s) || act_forward(&s, x, y, 3))
        return fprintf(stderr, "consumer: %s\n", al_last_error()), 1;
    if (!(y[0] == -0.5f && y[1] == 0 && y[2] == 1))
        return fprintf(stderr, "consumer: leaky_relu gave %g %g %g\n", y[0], y[1], y[2]), 1;
    if (al_version_number() != ACTLAB_VERSION_NUMBER)
        return fprintf(stderr, "consumer: library %s, headers %d\n", al_version_string(),
                       ACTLAB_VERSION_NUMBER), 1;
    if (argc > 1) {
        al_outfile out;
        if (al_outfile_open(&out, argv[1]) ||
            al_outfile_close(&out, fprintf(out.f, "%g %g %g\n", y[0], y[1], y[2]) < 0))
            return fprintf(stderr, "consumer: %s\n", al_last_error()), 1;
    }
    return 0;
}
