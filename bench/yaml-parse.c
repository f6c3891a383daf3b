/* The throughput ceiling for `meshctl validate`: parse a YAML file with libyaml's event API
 * and do nothing else but count the events. Whatever meshctl does on top (building trees,
 * validating, reporting) can only be slower than this on the same bytes.
 *
 *   cc -O2 -o bench/out/yaml-parse bench/yaml-parse.c -lyaml
 *   bench/out/yaml-parse FILE      prints "<bytes> bytes, <documents> documents, <events> events"
 * Exit 0 on success, 1 on a YAML error (with its position), 2 on a usage or I/O error. */
#include <stdio.h>
#include <yaml.h>

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s FILE\n", argv[0]);
    return 2;
  }
  FILE *file = fopen(argv[1], "rb");
  if (!file) {
    perror(argv[1]);
    return 2;
  }
  yaml_parser_t parser;
  if (!yaml_parser_initialize(&parser)) {
    fprintf(stderr, "out of memory\n");
    return 2;
  }
  yaml_parser_set_input_file(&parser, file);

  unsigned long events = 0, documents = 0;
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
    if (event.type == YAML_DOCUMENT_START_EVENT) documents++;
    int done = event.type == YAML_STREAM_END_EVENT;
    yaml_event_delete(&event);
    if (done) break;
  }
  long bytes = ftell(file);
  yaml_parser_delete(&parser);
  fclose(file);
  printf("%ld bytes, %lu documents, %lu events\n", bytes, documents, events);
  return status;
}
