#include "triage/source.hpp"

#include <algorithm>
#include <utility>

namespace triage {

source_file::source_file(std::string name, std::string text)
    : name_(std::move(name)), text_(std::move(text)) {
  for (std::size_t i = 0; i < text_.size(); ++i) {
    if (text_[i] == '\n') line_starts_.push_back(static_cast<std::uint32_t>(i + 1));
  }
}

std::string_view source_file::text_of(span s) const noexcept {
  const std::size_t begin = std::min<std::size_t>(s.begin, text_.size());
  const std::size_t end = std::clamp<std::size_t>(s.end, begin, text_.size());
  return std::string_view(text_).substr(begin, end - begin);
}

std::uint32_t source_file::line_of(std::uint32_t offset) const noexcept {
  // The last line start that is <= offset.
  const auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  return static_cast<std::uint32_t>(it - line_starts_.begin());
}

position source_file::position_of(std::uint32_t offset) const noexcept {
  offset = std::min(offset, static_cast<std::uint32_t>(text_.size()));
  const std::uint32_t line = line_of(offset);
  std::uint32_t column = 1;
  for (std::uint32_t i = line_starts_[line - 1]; i < offset; ++i) {
    // Count code points: every byte that is not a UTF-8 continuation byte starts one.
    // Invalid UTF-8 still counts one column per stray byte, so columns stay monotonic.
    if ((static_cast<unsigned char>(text_[i]) & 0xC0u) != 0x80u) ++column;
  }
  // An offset inside a multi-byte sequence belongs to the character that started it.
  if (offset < text_.size() && (static_cast<unsigned char>(text_[offset]) & 0xC0u) == 0x80u &&
      column > 1) {
    --column;
  }
  return {line, column};
}

std::string_view source_file::line_text(std::uint32_t line) const noexcept {
  if (line == 0 || line > line_starts_.size()) return {};
  const std::size_t begin = line_starts_[line - 1];
  std::size_t end = line < line_starts_.size() ? line_starts_[line] - 1 : text_.size();
  if (end > begin && text_[end - 1] == '\r') --end;
  return std::string_view(text_).substr(begin, end - begin);
}

}  // namespace triage
