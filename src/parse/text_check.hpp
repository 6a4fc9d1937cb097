// triage — checks on a policy's raw text before it is parsed (internal to the parser).
#ifndef TRIAGE_SRC_PARSE_TEXT_CHECK_HPP
#define TRIAGE_SRC_PARSE_TEXT_CHECK_HPP

#include <optional>
#include <string_view>

#include "triage/diagnostic.hpp"

namespace triage::detail {

/// Returns a `syntax` diagnostic for the first byte that is not valid UTF-8 (overlong
/// forms, surrogates and code points past U+10FFFF included) or the first bidirectional
/// override or isolate character (U+202A-U+202E, U+2066-U+2069: "Trojan Source", which
/// can make code read differently from how it parses), whichever comes first.
[[nodiscard]] std::optional<diagnostic> check_text(std::string_view text);

}  // namespace triage::detail

#endif  // TRIAGE_SRC_PARSE_TEXT_CHECK_HPP
