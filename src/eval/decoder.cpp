// ticket_decoder: JSON → ticket with simdjson's DOM parser (language reference 3.1, 4).
//
// The DOM parser validates the whole line (UTF-8, structure, nothing after the value,
// nesting within ticket_limits::max_json_nesting) before we look at it, so a malformed line
// is one error and never a half-read ticket. Its buffers, and ours, are kept between lines.
#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <limits>
#include <new>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "eval/runtime.hpp"
#include "render/escape.hpp"
#include "triage/table.hpp"
#include "triage/ticket.hpp"

namespace triage {
namespace detail {
namespace {

// The longest user text quoted in a message, in bytes; longer values are cut with "...".
constexpr std::size_t max_quoted_bytes = 64;

// A JSON string as a message shows it: quoted, escaped, cut at a character boundary.
std::string quote_value(std::string_view text) {
  if (text.size() <= max_quoted_bytes) {
    std::string out;
    append_json_string(out, text);
    return out;
  }
  std::size_t cut = max_quoted_bytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  std::string out;
  append_json_string(out, text.substr(0, cut));
  out.insert(out.size() - 1, "...");
  return out;
}

std::string double_text(double v) {
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof buf, v);
  std::string s(buf, res.ptr);
  if (s.find_first_of(".eE") == std::string::npos) s += ".0";  // 3.0 and 3e0 show as 3.0
  return s;
}

// What a JSON value is, for "found ..." in messages.
std::string describe(simdjson::dom::element e) {
  using simdjson::dom::element_type;
  switch (e.type()) {
    case element_type::ARRAY: return "an array";
    case element_type::OBJECT: return "an object";
    case element_type::INT64: return std::to_string(int64_t(e.get_int64().value_unsafe()));
    case element_type::UINT64: return std::to_string(uint64_t(e.get_uint64().value_unsafe()));
    case element_type::DOUBLE: return double_text(double(e.get_double().value_unsafe()));
    case element_type::STRING: return quote_value(std::string_view(e.get_string().value_unsafe()));
    case element_type::BOOL: return bool(e.get_bool().value_unsafe()) ? "true" : "false";
    case element_type::NULL_VALUE: return "null";
  }
  return "a value";
}

// simdjson's messages are sentences ("The input is not valid UTF-8."); ours are not.
std::string json_error(simdjson::error_code code, const ticket_limits& lim) {
  switch (code) {
    case simdjson::UTF8_ERROR: return "invalid JSON: the text is not valid UTF-8";
    case simdjson::DEPTH_ERROR:
      // Valid JSON, past a limit: no "invalid JSON" prefix. simdjson does not say how deep.
      return "JSON nested more than max_json_nesting (" + std::to_string(lim.max_json_nesting) +
             ") levels deep";
    case simdjson::EMPTY: return "invalid JSON: the line is empty";
    case simdjson::TAPE_ERROR:
    case simdjson::INCOMPLETE_ARRAY_OR_OBJECT:
      return "invalid JSON: malformed structure (a missing or extra comma, colon, bracket or "
             "brace, or text after the value)";
    case simdjson::TRAILING_CONTENT: return "invalid JSON: text after the value";
    case simdjson::STRING_ERROR: return "invalid JSON: a malformed string or escape";
    case simdjson::UNCLOSED_STRING: return "invalid JSON: a string is not closed";
    case simdjson::UNESCAPED_CHARS: return "invalid JSON: a control character in a string is not escaped";
    case simdjson::T_ATOM_ERROR:
    case simdjson::F_ATOM_ERROR:
    case simdjson::N_ATOM_ERROR: return "invalid JSON: a word that is not true, false or null";
    case simdjson::NUMBER_ERROR: return "invalid JSON: a malformed or out-of-range number";
    case simdjson::CAPACITY: return "invalid JSON: the line is too large";
    default: break;
  }
  std::string message = simdjson::error_message(code);
  if (!message.empty() && message[0] >= 'A' && message[0] <= 'Z') message[0] = static_cast<char>(message[0] - 'A' + 'a');
  while (!message.empty() && (message.back() == '.' || message.back() == ' ')) message.pop_back();
  return "invalid JSON: " + message;
}

// Appends a value as compact JSON, reusing `out`'s capacity (simdjson::minify returns a
// new string for every id). Depth is bounded by the parser's max_json_nesting.
void append_compact(std::string& out, simdjson::dom::element e) {
  using simdjson::dom::element_type;
  char buf[32];
  switch (e.type()) {
    case element_type::ARRAY: {
      out += '[';
      bool first = true;
      for (const simdjson::dom::element item : simdjson::dom::array(e.get_array().value_unsafe())) {
        if (!first) out += ',';
        first = false;
        append_compact(out, item);
      }
      out += ']';
      return;
    }
    case element_type::OBJECT: {
      out += '{';
      bool first = true;
      for (const simdjson::dom::key_value_pair kv : simdjson::dom::object(e.get_object().value_unsafe())) {
        if (!first) out += ',';
        first = false;
        append_json_string(out, kv.key);
        out += ':';
        append_compact(out, kv.value);
      }
      out += '}';
      return;
    }
    case element_type::INT64: {
      const auto res = std::to_chars(buf, buf + sizeof buf, int64_t(e.get_int64().value_unsafe()));
      out.append(buf, res.ptr);
      return;
    }
    case element_type::UINT64: {
      const auto res = std::to_chars(buf, buf + sizeof buf, uint64_t(e.get_uint64().value_unsafe()));
      out.append(buf, res.ptr);
      return;
    }
    case element_type::DOUBLE: {
      const auto res = std::to_chars(buf, buf + sizeof buf, double(e.get_double().value_unsafe()));
      out.append(buf, res.ptr);
      return;
    }
    case element_type::STRING: append_json_string(out, std::string_view(e.get_string().value_unsafe())); return;
    case element_type::BOOL: out += bool(e.get_bool().value_unsafe()) ? "true" : "false"; return;
    case element_type::NULL_VALUE: out += "null"; return;
  }
}

// Parses duration text: `-?` then `<digits><unit>` groups, units w d h m s in that order,
// each at most once (as in the language). Returns false when invalid or out of range.
bool parse_duration(std::string_view text, std::int64_t& out) {
  static constexpr std::pair<char, std::uint64_t> units[] = {
      {'w', 604800}, {'d', 86400}, {'h', 3600}, {'m', 60}, {'s', 1}};
  std::size_t at = 0;
  const bool negative = !text.empty() && text[0] == '-';
  if (negative) at = 1;
  if (at == text.size()) return false;
  std::uint64_t total = 0;
  std::size_t next_unit = 0;
  // The magnitude may reach 2^63 only when negative.
  const std::uint64_t top = negative ? std::uint64_t{1} << 63 : (std::uint64_t{1} << 63) - 1;
  while (at < text.size()) {
    const std::size_t digits = at;
    std::uint64_t n = 0;
    while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
      if (n > (top - static_cast<std::uint64_t>(text[at] - '0')) / 10) return false;
      n = n * 10 + static_cast<std::uint64_t>(text[at] - '0');
      ++at;
    }
    if (at == digits || at == text.size()) return false;
    std::size_t u = next_unit;
    while (u < std::size(units) && units[u].first != text[at]) ++u;
    if (u == std::size(units)) return false;
    if (n > top / units[u].second) return false;
    const std::uint64_t part = n * units[u].second;
    if (part > top - total) return false;
    total += part;
    next_unit = u + 1;
    ++at;
  }
  out = negative ? static_cast<std::int64_t>(0 - total) : static_cast<std::int64_t>(total);
  return true;
}

}  // namespace

struct decoder_state {
  std::shared_ptr<const triage::policy> owner;
  std::string id_key;
  ticket_limits lim;
  std::size_t tags_seen = 0;  // strings in the tags arrays of the ticket being decoded
  simdjson::dom::parser parser;
  std::string buffer;  // the line plus simdjson's padding
  std::string error;
  std::string id_json = "null";
  std::vector<std::pair<std::string_view, std::uint32_t>> keys;  // for duplicate detection
  std::string enum_list;  // scratch for "one of a, b, c"

  bool fail(std::string message, ticket& out) {
    error = std::move(message);
    out.reset();
    return false;
  }

  std::string field_prefix(const field_def& def) const { return "field '" + def.name + "': "; }

  const std::string& members_of(const field_def& def) {
    enum_list.clear();
    const auto& members = owner->model().enums[def.enum_index].members;
    for (std::size_t i = 0; i < members.size(); ++i) {
      if (i) enum_list += ", ";
      enum_list += members[i];
    }
    return enum_list;
  }

  // Stores one field's value, or returns the message saying why it cannot be stored.
  std::string store(const field_def& def, std::uint32_t i, simdjson::dom::element v, ticket& t) {
    using simdjson::dom::element_type;
    const element_type type = v.type();
    switch (def.type) {
      case field_type::boolean:
        if (type != element_type::BOOL) return field_prefix(def) + "expected true or false, found " + describe(v);
        t.ints_[i] = bool(v.get_bool().value_unsafe()) ? 1 : 0;
        break;
      case field_type::integer:
        if (type == element_type::INT64) {
          t.ints_[i] = v.get_int64().value_unsafe();
        } else if (type == element_type::UINT64) {
          return field_prefix(def) + "expected an integer that fits in 64 bits, found " + describe(v);
        } else {
          return field_prefix(def) + "expected an integer, found " + describe(v);
        }
        break;
      case field_type::number:
        if (type == element_type::INT64) t.numbers_[i] = static_cast<double>(int64_t(v.get_int64().value_unsafe()));
        else if (type == element_type::UINT64) t.numbers_[i] = static_cast<double>(uint64_t(v.get_uint64().value_unsafe()));
        else if (type == element_type::DOUBLE) t.numbers_[i] = v.get_double().value_unsafe();
        else return field_prefix(def) + "expected a number, found " + describe(v);
        break;
      case field_type::duration: {
        std::int64_t seconds = 0;
        bool ok = false;
        if (type == element_type::INT64) {
          seconds = v.get_int64().value_unsafe();
          ok = true;
        } else if (type == element_type::STRING) {
          ok = parse_duration(std::string_view(v.get_string().value_unsafe()), seconds);
        }
        if (!ok) {
          return field_prefix(def) + "expected a duration such as \"1h30m\" or a number of seconds, found " +
                 describe(v);
        }
        t.ints_[i] = seconds;
        break;
      }
      case field_type::string: {
        if (type != element_type::STRING) return field_prefix(def) + "expected a string, found " + describe(v);
        const std::string_view text = v.get_string().value_unsafe();
        if (text.size() > lim.max_string_field_bytes) {
          return field_prefix(def) + "a string of " + std::to_string(text.size()) +
                 " bytes, more than max_string_field_bytes (" +
                 std::to_string(lim.max_string_field_bytes) + ")";
        }
        t.store_text(i, text);
        break;
      }
      case field_type::enumeration: {
        if (type != element_type::STRING) {
          return field_prefix(def) + "expected one of " + members_of(def) + ", found " + describe(v);
        }
        const std::string_view name = v.get_string().value_unsafe();
        const std::optional<std::uint32_t> m = owner->member(owner->field_at(i), name);
        if (!m) return field_prefix(def) + quote_value(name) + " is not one of " + members_of(def);
        t.ints_[i] = *m;
        break;
      }
      case field_type::tags: {
        simdjson::dom::array items;
        if (v.get_array().get(items) != simdjson::SUCCESS) {
          return field_prefix(def) + "expected an array of strings, found " + describe(v);
        }
        // Counted before any is looked at: a million tags cost nothing but this check.
        tags_seen += items.size();
        if (tags_seen > lim.max_tags_per_ticket) {
          return field_prefix(def) + std::to_string(tags_seen) + " tags, more than max_tags_per_ticket (" +
                 std::to_string(lim.max_tags_per_ticket) + ")";
        }
        const policy_access::runtime& rt = policy_access::rt(*owner);
        std::uint64_t* words = t.tag_bits_ + std::size_t{rt.tag_slot[i]} * rt.tag_words;
        std::fill(words, words + rt.tag_words, 0);
        for (simdjson::dom::element item : items) {
          std::string_view tag;
          if (item.get_string().get(tag) != simdjson::SUCCESS) {
            return field_prefix(def) + "expected an array of strings, found " + describe(item) + " in the array";
          }
          // Tags the policy never mentions cannot change a decision: not stored.
          const auto it = rt.symbol_by_text.find(tag);
          if (it != rt.symbol_by_text.end()) words[it->second / 64] |= std::uint64_t{1} << (it->second % 64);
        }
        break;
      }
    }
    t.present_[i] = 1;
    return {};
  }

  bool decode(std::string_view json, ticket& out) {
    error.clear();
    id_json = "null";
    if (out.owner_ != owner) return fail("the ticket was made for another policy", out);
    out.reset();
    tags_seen = 0;
    // Checked before the text is copied: the limit bounds the memory a ticket may take.
    if (json.size() > lim.max_line_bytes) {
      return fail("line is longer than max_line_bytes (" + std::to_string(lim.max_line_bytes) + ")", out);
    }
    buffer.resize(json.size() + simdjson::SIMDJSON_PADDING);
    std::memcpy(buffer.data(), json.data(), json.size());
    simdjson::dom::element doc;
    if (const auto code = parser.parse(buffer.data(), json.size(), false).get(doc); code != simdjson::SUCCESS) {
      return fail(json_error(code, lim), out);
    }
    simdjson::dom::object object;
    if (doc.get_object().get(object) != simdjson::SUCCESS) return fail("not a JSON object", out);

    // Keys first: the id (echoed even for a rejected ticket) and duplicates.
    keys.clear();
    std::uint32_t position = 0;
    bool id_seen = false;
    for (const simdjson::dom::key_value_pair kv : object) {
      keys.emplace_back(kv.key, position++);
      if (!id_seen && kv.key == id_key) {
        id_seen = true;
        id_json.clear();
        append_compact(id_json, kv.value);
      }
    }
    std::sort(keys.begin(), keys.end());
    const std::pair<std::string_view, std::uint32_t>* duplicate = nullptr;
    for (std::size_t k = 1; k < keys.size(); ++k) {
      // The duplicate reported is the one whose second occurrence comes first.
      if (keys[k].first == keys[k - 1].first && (!duplicate || keys[k].second < duplicate->second)) {
        duplicate = &keys[k];
      }
    }
    if (duplicate) {
      std::string message = "duplicate key ";
      std::string quoted_key;
      append_terminal_text(quoted_key, duplicate->first);
      return fail(message + "'" + quoted_key + "'", out);
    }

    const triage::model& m = owner->model();
    const policy_access::runtime& rt = policy_access::rt(*owner);
    for (const simdjson::dom::key_value_pair kv : object) {
      const auto it = rt.field_by_name.find(kv.key);
      if (it == rt.field_by_name.end()) continue;  // unknown keys are ignored
      if (kv.value.is_null()) continue;            // null is the same as missing
      std::string problem = store(m.fields[it->second], it->second, kv.value, out);
      if (!problem.empty()) return fail(std::move(problem), out);
    }
    for (const field_def& def : m.fields) {
      const std::uint32_t i = static_cast<std::uint32_t>(&def - m.fields.data());
      if (def.required && out.present_[i] == 0) return fail("missing required field '" + def.name + "'", out);
    }
    return true;
  }
};

}  // namespace detail

ticket_decoder::ticket_decoder(std::shared_ptr<const triage::policy> p, std::string id_key,
                               const ticket_limits& lim)
    : impl_(std::make_unique<detail::decoder_state>()) {
  if (!p) throw std::invalid_argument("triage::ticket_decoder needs a policy");
  if (lim.max_json_nesting == 0) {
    throw std::invalid_argument("triage::ticket_decoder: max_json_nesting must be at least 1");
  }
  impl_->owner = std::move(p);
  impl_->id_key = std::move(id_key);
  impl_->lim = lim;
  // simdjson counts the document itself as a level: a parser of depth N + 1 accepts N.
  // Its buffers grow with the lines it is given; the depth chosen here is kept.
  if (impl_->parser.allocate(simdjson::SIMDJSON_PADDING, std::size_t{lim.max_json_nesting} + 1) !=
      simdjson::SUCCESS) {
    throw std::bad_alloc();
  }
}

ticket_decoder::~ticket_decoder() = default;
ticket_decoder::ticket_decoder(ticket_decoder&&) noexcept = default;
ticket_decoder& ticket_decoder::operator=(ticket_decoder&&) noexcept = default;

bool ticket_decoder::decode(std::string_view json, ticket& out) { return impl_->decode(json, out); }

const std::string& ticket_decoder::error() const noexcept { return impl_->error; }

const std::string& ticket_decoder::id_json() const noexcept { return impl_->id_json; }

}  // namespace triage
