// Test helper: the engine's ticket for a generated ticket's fields, built with the typed
// setters rather than decoded from JSON, so that both ways into a ticket are compared with
// the reference interpreter.
#ifndef TRIAGE_TESTS_REFERENCE_SETTER_TICKET_HPP
#define TRIAGE_TESTS_REFERENCE_SETTER_TICKET_HPP

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "reference/reference_interpreter.hpp"
#include "triage/ticket.hpp"

namespace triage::reference {

inline triage::ticket setter_ticket(const std::shared_ptr<const triage::policy>& pol, const ticket& fields) {
  triage::ticket t{pol};
  for (const auto& [name, held] : fields) {
    const triage::field_handle f = pol->field(name);
    if (const auto* b = std::get_if<bool>(&held)) {
      t.set(f, *b);
    } else if (const auto* i = std::get_if<std::int64_t>(&held)) {
      if (f.type() == triage::field_type::duration) {
        t.set(f, std::chrono::seconds{*i});
      } else {
        t.set(f, *i);
      }
    } else if (const auto* d = std::get_if<double>(&held)) {
      t.set(f, *d);
    } else if (const auto* text = std::get_if<std::string>(&held)) {
      t.set(f, std::string_view(*text));
    } else {
      const auto& tags = std::get<tag_set>(held);
      std::vector<std::string_view> views(tags.begin(), tags.end());
      t.set_tags(f, std::span<const std::string_view>(views));
    }
  }
  return t;
}

}  // namespace triage::reference

#endif  // TRIAGE_TESTS_REFERENCE_SETTER_TICKET_HPP
