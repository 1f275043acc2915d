/* include/actlab/io.h as a user sees it (the public header only): a new file, a replaced
 * one, a write that failed (the old file stays, no temporary is left), a directory that is
 * missing, the path copied at open, the check before the work, and no stale message after a
 * success. The machinery underneath has its own tests (test_atomic.c). */
#include "data_util.h"

#include <errno.h>
#include <sys/stat.h>

#include "actlab/io.h"

static char dir[64];
static void setup(void)
{
    tmp_dir(dir);
}
static void teardown(void)
{
    rm_dir(dir);
}
TestSuite(io, .init = setup, .fini = teardown);

static void expect_only(const char *name)
{
    char names[1024], want[256];
    list_dir(dir, names, sizeof names);
    snprintf(want, sizeof want, "%s ", name);
    cr_assert_str_eq(names, want, "a temporary was left behind");
}

Test(io, writes_a_new_file_and_replaces_it_keeping_its_mode)
{
    const char *p = in_dir(dir, "w.txt");
    al_outfile o;
    cr_assert_eq(al_outfile_open(&o, p), AL_OK, "%s", al_last_error());
    cr_assert(o.f);
    cr_assert_eq(al_outfile_close(&o, fputs("one\n", o.f) < 0), AL_OK, "%s", al_last_error());
    cr_assert_null(o.f, "close leaves no stream to misuse");
    expect_text(p, "one\n");
    cr_assert_eq(chmod(p, 0600), 0);
    cr_assert_eq(al_outfile_open(&o, p), AL_OK, "%s", al_last_error());
    cr_assert_eq(al_outfile_close(&o, fputs("two\n", o.f) < 0), AL_OK, "%s", al_last_error());
    expect_text(p, "two\n");
    struct stat st;
    cr_assert_eq(stat(p, &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0600, "mode %o", (unsigned)(st.st_mode & 0777));
    expect_only("w.txt");
}

Test(io, a_failed_write_keeps_the_old_file)
{
    const char *p = in_dir(dir, "keep.txt");
    write_bytes(p, "old\n", 4);
    al_outfile o;
    cr_assert_eq(al_outfile_open(&o, p), AL_OK, "%s", al_last_error());
    fputs("half of the new", o.f);
    errno = ENOSPC; /* what a failed fwrite leaves, named in the message */
    assert_error(al_outfile_close(&o, 1), AL_EIO, p, "No space left");
    expect_text(p, "old\n");
    expect_only("keep.txt");
}

Test(io, a_missing_directory_fails_at_open_and_close_is_then_harmless)
{
    const char *p = in_dir(dir, "no/such/x.txt");
    al_outfile o;
    assert_error(al_outfile_open(&o, p), AL_EIO, p, "No such file");
    cr_assert_null(o.f);
    cr_assert_eq(al_outfile_close(&o, 0), AL_OK);
    cr_assert_eq(al_outfile_check(p), AL_EIO);
    cr_assert_eq(al_outfile_check(""), AL_EINVAL);
    cr_assert_eq(al_outfile_open(&o, dir), AL_EIO, "a directory is refused");
}

Test(io, the_path_is_copied_at_open)
{
    char path[128];
    snprintf(path, sizeof path, "%s", in_dir(dir, "a.txt"));
    al_outfile o;
    cr_assert_eq(al_outfile_open(&o, path), AL_OK, "%s", al_last_error());
    snprintf(path, sizeof path, "%s", in_dir(dir, "b.txt"));
    cr_assert_eq(al_outfile_close(&o, fputs("a\n", o.f) < 0), AL_OK, "%s", al_last_error());
    expect_text(in_dir(dir, "a.txt"), "a\n");
    expect_only("a.txt");
}

Test(io, check_writes_nothing_and_a_success_clears_the_last_message)
{
    cr_assert_eq(al_outfile_check(in_dir(dir, "missing/x")), AL_EIO);
    cr_assert_neq(al_last_error()[0], '\0');
    cr_assert_eq(al_outfile_check(in_dir(dir, "x.txt")), AL_OK, "%s", al_last_error());
    cr_assert_str_eq(al_last_error(), "");
    char names[256];
    list_dir(dir, names, sizeof names);
    cr_assert_str_eq(names, "", "check created %s", names);
    cr_assert_eq(al_outfile_check(in_dir(dir, "missing/x")), AL_EIO);
    al_outfile o;
    cr_assert_eq(al_outfile_open(&o, in_dir(dir, "y.txt")), AL_OK);
    cr_assert_str_eq(al_last_error(), "", "stale after open");
    cr_assert_eq(al_outfile_check(in_dir(dir, "missing/x")), AL_EIO);
    cr_assert_eq(al_outfile_close(&o, 0), AL_OK);
    cr_assert_str_eq(al_last_error(), "", "stale after close");
}
