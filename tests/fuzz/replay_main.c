/* replay_main.c — runs a libFuzzer harness over files and directories without
 * libFuzzer (any compiler): the corpus and findings replay as plain tests.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <glib.h>
#include <stdint.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
    gchar *data;
    gsize len;
    GError *error = NULL;
    if (!g_file_get_contents(path, &data, &len, &error)) {
        fprintf(stderr, "replay: %s\n", error->message);
        g_error_free(error);
        return 1;
    }
    LLVMFuzzerTestOneInput((const uint8_t *)data, len);
    g_free(data);
    return 0;
}

int main(int argc, char **argv)
{
    int failures = 0, files = 0;
    for (int i = 1; i < argc; i++) {
        if (g_file_test(argv[i], G_FILE_TEST_IS_DIR)) {
            GDir *dir = g_dir_open(argv[i], 0, NULL);
            const char *name;
            while (dir && (name = g_dir_read_name(dir)) != NULL) {
                gchar *path = g_build_filename(argv[i], name, NULL);
                if (g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
                    failures += replay_file(path);
                    files++;
                }
                g_free(path);
            }
            if (dir)
                g_dir_close(dir);
        } else {
            failures += replay_file(argv[i]);
            files++;
        }
    }
    printf("replayed %d inputs\n", files);
    return failures ? 1 : 0;
}
