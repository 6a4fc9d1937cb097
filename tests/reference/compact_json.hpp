// Test helper: JSON text without the whitespace outside strings, so that the engine's
// `{"a": 1}` and the reference interpreter's `{"a":1}` compare equal as strings.
#ifndef TRIAGE_TESTS_REFERENCE_COMPACT_JSON_HPP
#define TRIAGE_TESTS_REFERENCE_COMPACT_JSON_HPP

#include <string>
#include <string_view>

namespace triage::reference {

inline std::string compact_json(std::string_view json) {
  std::string out;
  bool in_string = false;
  for (std::size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < json.size()) {
        out += json[++i];
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
      out += c;
    } else if (c != ' ' && c != '\n' && c != '\t' && c != '\r') {
      out += c;
    }
  }
  return out;
}

}  // namespace triage::reference

#endif  // TRIAGE_TESTS_REFERENCE_COMPACT_JSON_HPP
