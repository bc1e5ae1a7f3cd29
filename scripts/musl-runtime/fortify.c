/* glibc's _FORTIFY_SOURCE entry points for musl. Debian's static libnfs.a, libnl-3.a and
 * libnl-route-3.a were compiled with -D_FORTIFY_SOURCE=2 against glibc and call these nine;
 * musl's libc.a has none of them. Each does the bounds check glibc does (abort on overflow, as
 * glibc's __chk_fail does) and forwards to the plain function; the flag argument (glibc's %n
 * check level) is ignored. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void chk_fail(void) {
  static const char message[] = "*** buffer overflow detected ***: terminated\n";
  fwrite(message, 1, sizeof message - 1, stderr);
  abort();
}

/* vsnprintf into a buffer of slen bytes (slen (size_t)-1 = unknown size, musl's vsnprintf
 * refuses sizes above INT_MAX). */
static int bounded_vsprintf(char *s, size_t slen, const char *format, va_list ap) {
  if (slen == (size_t)-1) return vsprintf(s, format, ap);
  int n = vsnprintf(s, slen, format, ap);
  if (n >= 0 && (size_t)n >= slen) chk_fail();
  return n;
}

int __vsnprintf_chk(char *s, size_t maxlen, int flag, size_t slen, const char *format, va_list ap) {
  (void)flag;
  if (slen < maxlen) chk_fail();
  return vsnprintf(s, maxlen, format, ap);
}

int __snprintf_chk(char *s, size_t maxlen, int flag, size_t slen, const char *format, ...) {
  va_list ap;
  va_start(ap, format);
  int n = __vsnprintf_chk(s, maxlen, flag, slen, format, ap);
  va_end(ap);
  return n;
}

int __sprintf_chk(char *s, int flag, size_t slen, const char *format, ...) {
  (void)flag;
  if (slen == 0) chk_fail();
  va_list ap;
  va_start(ap, format);
  int n = bounded_vsprintf(s, slen, format, ap);
  va_end(ap);
  return n;
}

int __vfprintf_chk(FILE *stream, int flag, const char *format, va_list ap) {
  (void)flag;
  return vfprintf(stream, format, ap);
}

int __fprintf_chk(FILE *stream, int flag, const char *format, ...) {
  va_list ap;
  va_start(ap, format);
  int n = __vfprintf_chk(stream, flag, format, ap);
  va_end(ap);
  return n;
}

int __printf_chk(int flag, const char *format, ...) {
  va_list ap;
  va_start(ap, format);
  int n = __vfprintf_chk(stdout, flag, format, ap);
  va_end(ap);
  return n;
}

int __vasprintf_chk(char **result, int flag, const char *format, va_list ap) {
  (void)flag;
  return vasprintf(result, format, ap);
}

int __asprintf_chk(char **result, int flag, const char *format, ...) {
  va_list ap;
  va_start(ap, format);
  int n = __vasprintf_chk(result, flag, format, ap);
  va_end(ap);
  return n;
}

void *__memcpy_chk(void *dest, const void *src, size_t len, size_t destlen) {
  if (destlen < len) chk_fail();
  return memcpy(dest, src, len);
}
