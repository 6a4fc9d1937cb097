// triage — decoding literal text into values (internal to the parser).
//
// The grammar decides where a literal starts and ends; these functions compute its value
// and say, in the diagnostic wording, why it cannot be represented. They know nothing of
// PEGTL or of where the literal stands.
#ifndef TRIAGE_SRC_PARSE_LITERALS_HPP
#define TRIAGE_SRC_PARSE_LITERALS_HPP

#include <cstdint>
#include <string>
#include <string_view>

#include "triage/ast.hpp"

namespace triage::detail {

/// Why a literal could not be decoded: a message and where, in bytes from the start of
/// the literal's text, the offending part lies. `message` is empty when all is well.
struct literal_problem {
  std::string message;
  std::uint32_t offset = 0;
  std::uint32_t length = 0;
  [[nodiscard]] bool ok() const noexcept { return message.empty(); }
};

/// Decodes the text of a numeric literal the grammar matched (`-?[0-9]+`,
/// `-?[0-9]+\.[0-9]+` or a duration such as `1h30m`) into `out` (kind and value).
[[nodiscard]] literal_problem decode_numeric(std::string_view text, ast::literal& out);

/// Unescapes the text between a string literal's quotes into `out`. Stops reporting at
/// the first bad escape (the literal is invalid then; its text is best effort).
[[nodiscard]] literal_problem unescape_string(std::string_view content, std::string& out);

/// Quotes user text for a message: 'text', shortened to its first 40 code points.
[[nodiscard]] std::string quote_text(std::string_view text);

}  // namespace triage::detail

#endif  // TRIAGE_SRC_PARSE_LITERALS_HPP
