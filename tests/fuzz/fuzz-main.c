/* fuzz-main.c — replays a libFuzzer corpus without libFuzzer
 *
 * Links with a target's LLVMFuzzerTestOneInput and feeds it every regular
 * file in the directories or files named on the command line, so the
 * corpus runs as a plain regression test in every build (including the
 * ASan+UBSan one). */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static int
run_file (const char *path)
{
  FILE *f = fopen (path, "rb");
  if (!f)
    return -1;
  uint8_t *buf = NULL;
  size_t len = 0, cap = 0;
  for (;;)
    {
      if (len == cap)
        {
          cap = cap ? cap * 2 : 4096;
          uint8_t *n = realloc (buf, cap);
          if (!n)
            {
              free (buf);
              fclose (f);
              return -1;
            }
          buf = n;
        }
      size_t r = fread (buf + len, 1, cap - len, f);
      if (r == 0)
        break;
      len += r;
    }
  fclose (f);
  LLVMFuzzerTestOneInput (buf, len);
  free (buf);
  return 0;
}

int
main (int argc, char **argv)
{
  unsigned ran = 0, failed = 0;
  for (int i = 1; i < argc; i++)
    {
      struct stat st;
      if (stat (argv[i], &st) != 0)
        {
          fprintf (stderr, "fuzz-main: %s: not found\n", argv[i]);
          failed++;
          continue;
        }
      if (!S_ISDIR (st.st_mode))
        {
          failed += run_file (argv[i]) != 0;
          ran++;
          continue;
        }
      DIR *d = opendir (argv[i]);
      if (!d)
        {
          failed++;
          continue;
        }
      struct dirent *e;
      while ((e = readdir (d)) != NULL)
        {
          if (e->d_name[0] == '.')
            continue;
          char path[4096];
          snprintf (path, sizeof path, "%s/%s", argv[i], e->d_name);
          failed += run_file (path) != 0;
          ran++;
        }
      closedir (d);
    }
  printf ("%u passed, %u failed\n", ran - failed, failed);
  /* An empty corpus is a broken test, not a pass. */
  return (failed || ran == 0) ? 1 : 0;
}
