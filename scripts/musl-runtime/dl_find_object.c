/* _dl_find_object for musl: Debian's libgcc_eh.a was built against glibc >= 2.35, whose unwinder
 * asks _dl_find_object(pc) for the PT_GNU_EH_FRAME segment of the object holding pc. musl has no
 * such call, but has dl_iterate_phdr, which in a static binary reports the program itself. The
 * struct is glibc's x86_64 layout (no dlfo_eh_dbase there). The binary must be linked with
 * --eh-frame-hdr (the specs file passes it) so that the segment exists. */
#include <link.h>
#include <stddef.h>
#include <stdint.h>

struct dl_find_object {
  unsigned long long dlfo_flags;
  void *dlfo_map_start;
  void *dlfo_map_end;
  struct link_map *dlfo_link_map;
  void *dlfo_eh_frame;
  void *dlfo_reserved[7];
};

struct search {
  uintptr_t pc;
  struct dl_find_object *result;
  int found;
};

static int visit(struct dl_phdr_info *info, size_t size, void *data) {
  struct search *s = data;
  uintptr_t low = UINTPTR_MAX, high = 0;
  const ElfW(Phdr) *eh_frame = NULL;
  int holds_pc = 0;
  (void)size;
  for (size_t i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr) *phdr = &info->dlpi_phdr[i];
    if (phdr->p_type == PT_LOAD) {
      uintptr_t start = info->dlpi_addr + phdr->p_vaddr, end = start + phdr->p_memsz;
      if (start < low) low = start;
      if (end > high) high = end;
      if (s->pc >= start && s->pc < end) holds_pc = 1;
    } else if (phdr->p_type == PT_GNU_EH_FRAME) {
      eh_frame = phdr;
    }
  }
  if (!holds_pc) return 0;
  s->result->dlfo_flags = 0;
  s->result->dlfo_map_start = (void *)low;
  s->result->dlfo_map_end = (void *)high;
  s->result->dlfo_link_map = NULL;
  s->result->dlfo_eh_frame = eh_frame ? (void *)(info->dlpi_addr + eh_frame->p_vaddr) : NULL;
  s->found = 1;
  return 1;
}

int _dl_find_object(void *pc, struct dl_find_object *result) {
  struct search s = {(uintptr_t)pc, result, 0};
  dl_iterate_phdr(visit, &s);
  return s.found ? 0 : -1;
}
