/* Writes the seeds of fuzz/corpus/model_file and fuzz/corpus/model_spec with actlab itself:
 * small models saved by nn_save / nn_checkpoint_save, and the built-in specs with variants.
 * Build and run from the repository root (after building build/):
 *   cc -Iinclude fuzz/make_model_corpus.c build/libactlab.so -o /tmp/mkc && /tmp/mkc fuzz/corpus
 * (with LD_LIBRARY_PATH=build). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actlab/nn.h"

static void die(const char *what)
{
    fprintf(stderr, "%s: %s\n", what, al_last_error());
    exit(1);
}

static nn_model *model(const char *spec, nn_shape in)
{
    al_rng r;
    al_rng_seed(&r, 3);
    nn_model *m;
    if (nn_model_create(spec, in, NN_INIT_DEFAULT, &r, &m))
        die(spec);
    return m;
}

static void save(nn_model *m, const char *dir, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/model_file/%s", dir, name);
    if (nn_save(m, path))
        die(path);
}

static void spec_seed(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/model_spec/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fputs(text, f) < 0 || fclose(f))
        die(path);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "fuzz/corpus";
    nn_model *mlp = model("dense(3,activation=relu) dense(2,activation=softmax)",
                          (nn_shape){1, {4}});
    save(mlp, dir, "mlp.safetensors");
    nn_model *conv = model("conv2d(2,3,padding=same,activation=relu) maxpool2d(2) flatten "
                           "dense(3)", (nn_shape){3, {1, 4, 4}});
    save(conv, dir, "conv.safetensors");
    nn_model *misc = model("prelu(channels=2) avgpool2d(2,stride=1) flatten dropout(0.5) "
                           "dense(4,bias=0) maxout(2) activation(glu)", (nn_shape){3, {2, 3, 3}});
    save(misc, dir, "misc.safetensors");
    nn_optimizer o;
    if (nn_optimizer_init(&o, "adam"))
        die("adam");
    al_rng r;
    al_rng_seed(&r, 5);
    char path[512];
    snprintf(path, sizeof path, "%s/model_file/mlp_checkpoint.safetensors", dir);
    if (nn_checkpoint_save(mlp, &o, 2, &r, path))
        die(path);
    nn_model_free(mlp);
    nn_model_free(conv);
    nn_model_free(misc);

    spec_seed(dir, "lenet5", "1,28,28\nlenet5");
    spec_seed(dir, "lenet5_cifar", "3,32,32\nlenet5");
    spec_seed(dir, "house_mlp", "13\nhouse-mlp");
    char buf[1024];
    if (nn_builtin_spec("lenet5", "leaky_relu:alpha=0.2", buf, sizeof buf))
        die("lenet5");
    char text[1100];
    snprintf(text, sizeof text, "1,28,28\n%s", buf);
    spec_seed(dir, "lenet5_text", text);
    spec_seed(dir, "conv_stride", "3,9,7\nconv2d(4,3,stride=2,padding=same,activation=tanh) "
                                  "avgpool2d(2) flatten dense(6,activation=[softplus:beta=2,"
                                  "threshold=10])");
    spec_seed(dir, "rowwise", "12\ndense(8,activation=swiglu) maxout(k=2) "
                              "activation(log_softmax)");
    spec_seed(dir, "prelu", "2,5,5\nprelu(channels=2,init=0.1); maxpool2d(pool_size=2,"
                            "strides=1); flatten; dropout(0.25); dense(units=3,use_bias=false)");
    return 0;
}
