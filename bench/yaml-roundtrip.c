/* The throughput ceiling for `meshctl inject`: parse a YAML file with libyaml's event API and
 * write every event straight back out with libyaml's emitter. An injector that reads, changes
 * and re-emits documents can only be slower than this on the same bytes.
 *
 *   cc -O2 -o bench/out/yaml-roundtrip bench/yaml-roundtrip.c -lyaml
 *   bench/out/yaml-roundtrip FILE [OUT]     OUT defaults to /dev/null; "-" is stdout
 * Exit 0 on success, 1 on a YAML or emitter error, 2 on a usage or I/O error. */
#include <stdio.h>
#include <string.h>
#include <yaml.h>

int main(int argc, char **argv) {
  if (argc != 2 && argc != 3) {
    fprintf(stderr, "usage: %s FILE [OUT]\n", argv[0]);
    return 2;
  }
  const char *out_path = argc == 3 ? argv[2] : "/dev/null";
  FILE *in = fopen(argv[1], "rb");
  if (!in) {
    perror(argv[1]);
    return 2;
  }
  FILE *out = strcmp(out_path, "-") == 0 ? stdout : fopen(out_path, "wb");
  if (!out) {
    perror(out_path);
    return 2;
  }
  yaml_parser_t parser;
  yaml_emitter_t emitter;
  if (!yaml_parser_initialize(&parser) || !yaml_emitter_initialize(&emitter)) {
    fprintf(stderr, "out of memory\n");
    return 2;
  }
  yaml_parser_set_input_file(&parser, in);
  yaml_emitter_set_output_file(&emitter, out);
  yaml_emitter_set_unicode(&emitter, 1);
  yaml_emitter_set_width(&emitter, -1); /* never fold long lines */

  unsigned long events = 0;
  int status = 0;
  for (;;) {
    yaml_event_t event;
    if (!yaml_parser_parse(&parser, &event)) {
      fprintf(stderr, "%s:%lu:%lu: %s\n", argv[1], (unsigned long)parser.problem_mark.line + 1,
              (unsigned long)parser.problem_mark.column + 1,
              parser.problem ? parser.problem : "YAML error");
      status = 1;
      break;
    }
    events++;
    int done = event.type == YAML_STREAM_END_EVENT;
    /* yaml_emitter_emit takes ownership of the event, on success and on failure. */
    if (!yaml_emitter_emit(&emitter, &event)) {
      fprintf(stderr, "emitter: %s\n", emitter.problem ? emitter.problem : "error");
      status = 1;
      break;
    }
    if (done) break;
  }
  if (status == 0 && !yaml_emitter_flush(&emitter)) {
    fprintf(stderr, "emitter: cannot flush output\n");
    status = 1;
  }
  long bytes = ftell(in);
  yaml_emitter_delete(&emitter);
  yaml_parser_delete(&parser);
  fclose(in);
  if (out != stdout) fclose(out);
  fprintf(stderr, "%ld bytes in, %lu events\n", bytes, events);
  return status;
}
