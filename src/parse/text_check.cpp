#include "parse/text_check.hpp"

#include <fmt/format.h>

#include <cstdint>

namespace triage::detail {
namespace {

// The length of the valid UTF-8 sequence at `text[i]`, or 0 if it is not one.
// Follows the table of well-formed sequences in the Unicode standard (3.9, D92).
std::size_t sequence_length(std::string_view text, std::size_t i) noexcept {
  const auto byte = [&](std::size_t k) -> unsigned {
    return i + k < text.size() ? static_cast<unsigned char>(text[i + k]) : 0u;
  };
  const unsigned b0 = byte(0);
  const auto cont = [](unsigned b, unsigned lo = 0x80, unsigned hi = 0xBF) {
    return b >= lo && b <= hi;
  };
  if (b0 < 0x80) return 1;
  if (b0 >= 0xC2 && b0 <= 0xDF) return cont(byte(1)) ? 2 : 0;
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    const unsigned lo = b0 == 0xE0 ? 0xA0 : 0x80;  // no overlong forms
    const unsigned hi = b0 == 0xED ? 0x9F : 0xBF;  // no surrogates
    return cont(byte(1), lo, hi) && cont(byte(2)) ? 3 : 0;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    const unsigned lo = b0 == 0xF0 ? 0x90 : 0x80;  // no overlong forms
    const unsigned hi = b0 == 0xF4 ? 0x8F : 0xBF;  // nothing past U+10FFFF
    return cont(byte(1), lo, hi) && cont(byte(2)) && cont(byte(3)) ? 4 : 0;
  }
  return 0;
}

span span_at(std::size_t begin, std::size_t length) {
  return {static_cast<std::uint32_t>(begin), static_cast<std::uint32_t>(begin + length)};
}

}  // namespace

std::optional<diagnostic> check_text(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    if (static_cast<unsigned char>(text[i]) < 0x80) {  // the common case, byte by byte
      ++i;
      continue;
    }
    const std::size_t length = sequence_length(text, i);
    if (length == 0) {
      return make_diagnostic(diagnostic_code::syntax, span_at(i, 1),
                             fmt::format("invalid UTF-8 byte 0x{:02x}",
                                         static_cast<unsigned char>(text[i])));
    }
    if (length == 3) {
      const std::uint32_t cp = ((static_cast<unsigned char>(text[i]) & 0x0Fu) << 12) |
                               ((static_cast<unsigned char>(text[i + 1]) & 0x3Fu) << 6) |
                               (static_cast<unsigned char>(text[i + 2]) & 0x3Fu);
      if ((cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069)) {
        return make_diagnostic(
            diagnostic_code::syntax, span_at(i, 3),
            fmt::format("bidirectional control character U+{:04X} is not allowed", cp));
      }
    }
    i += length;
  }
  return std::nullopt;
}

}  // namespace triage::detail
