// cat()'s one out-of-line step (base/cat.h).
#include "base/cat.h"

namespace nfsroot::cat_detail {

std::string concatenate(std::initializer_list<std::string_view> pieces) {
  std::size_t size = 0;
  for (const std::string_view piece : pieces) size += piece.size();
  std::string text;
  text.reserve(size);
  for (const std::string_view piece : pieces) text.append(piece);
  return text;
}

}  // namespace nfsroot::cat_detail
