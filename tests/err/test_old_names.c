/* The 0.1 names (include/actlab/deprecated.h) still build and link against the shared library
 * for one release. Built without -Werror for deprecation only: using them warns, as intended.
 * A plain program (no Criterion): exit status 0 when every check holds. */
#include <stdio.h>
#include <string.h>

#include <actlab/actlab.h>

static int failed;

static void check(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "old names: %s\n", what);
        failed = 1;
    }
}

int main(void)
{
    static const char csv[] = "a,b,y\n1,x,2\n3,z,4\n";
    tab_table t;
    check(tab_csv_parse("t.csv", csv, sizeof csv - 1, &t) == 0, "tab_csv_parse");
    check(t.n_rows == 2 && t.n_cols == 3, "tab_table shape");
    check(tab_find_column(&t, "b") == 1, "tab_find_column");
    check(t.cols[0].type == TAB_NUMERIC && t.cols[1].type == TAB_TEXT, "TAB_NUMERIC, TAB_TEXT");
    tab_options o;
    tab_options_default(&o);
    o.target = "y";
    o.fill = TAB_FILL_MEAN;
    o.scale = TAB_SCALE_NONE;
    tab_transform *tf = NULL;
    check(tab_fit(&t, &o, &tf) == 0, "tab_fit");
    check(tf && tab_n_features(tf) == 3, "tab_n_features: a, b_x, b_z"); /* no NaN column */
    tab_transform_free(tf);
    tab_table_free(&t);

    check(strcmp(actlab_version_string(), al_version_string()) == 0, "actlab_version_string");
    check(actlab_version_number() == ACTLAB_VERSION_NUMBER, "actlab_version_number");

    act_spec a;
    check(act_parse("sigmod", &a) == AL_ENAME, "act_parse fails");
    check(act_last_error() == al_last_error() && strstr(act_last_error(), "sigmod"),
          "act_last_error is al_last_error");
    puts(failed ? "old names: FAILED" : "old names: ok");
    return failed;
}
