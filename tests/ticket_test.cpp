// Tickets: typed setters, and JSON decoding with the validation of language reference 3.1
// and 4 (every rejection's exact message), including hostile input.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "triage/policy.hpp"

namespace {

constexpr const char* schema = R"(
field issue:    string   required
field urgency:  enum { low, medium, high, critical } required
field impact:   enum { low, medium, high }
field sla:      duration
field score:    number
field reopened: int
field vip:      bool
field tags:     tags
output urgent: flag
output label: string first
urgent if sla < 2h or tags has "vpn" or vip
urgent if score > 0.5 and reopened >= 2 and impact == high
label if issue contains "x" -> "x"
)";

std::shared_ptr<const triage::policy> compile_schema() {
  triage::compile_result r = triage::compile(schema, "schema.rules");
  REQUIRE(r.ok());
  return r.value;
}

// Decodes `json`; returns "" on success, else the decoder's error.
struct harness {
  std::shared_ptr<const triage::policy> p = compile_schema();
  triage::ticket_decoder decoder{p};
  triage::ticket t{p};

  std::string error_of(std::string_view json) {
    return decoder.decode(json, t) ? std::string{} : decoder.error();
  }
};

}  // namespace

TEST_CASE("a valid ticket decodes into typed fields; unknown keys are ignored and null is missing") {
  harness h;
  REQUIRE(h.error_of(R"({"id": "T-1", "issue": "VPN down", "urgency": "high", "impact": null, "sla": "1h30m",
                         "score": 1, "reopened": -2, "vip": false, "tags": ["vpn", "vpn", "never-mentioned"],
                         "extra": {"deep": [1, 2, {"x": null}]}})") == "");
  const auto& p = h.p;
  CHECK(h.t.get_text(p->field("issue")) == "VPN down");
  CHECK(h.t.get_text(p->field("urgency")) == "high");
  CHECK(h.t.get_int(p->field("urgency")) == 2);
  CHECK_FALSE(h.t.present(p->field("impact")));
  CHECK(h.t.get_int(p->field("sla")) == 5400);
  CHECK(h.t.get_number(p->field("score")) == 1.0);
  CHECK(h.t.get_int(p->field("reopened")) == -2);
  CHECK(h.t.present(p->field("vip")));
  CHECK_FALSE(h.t.get_bool(p->field("vip")));
  CHECK(h.t.has_tag(p->field("tags"), "vpn"));
  // Tags the policy never mentions cannot change a decision and are not kept.
  CHECK_FALSE(h.t.has_tag(p->field("tags"), "never-mentioned"));
  CHECK(h.decoder.id_json() == R"("T-1")");
  CHECK(h.t.to_json() ==
        R"({"issue": "VPN down", "urgency": "high", "sla": "1h30m", "score": 1.0, "reopened": -2, "vip": false, "tags": ["vpn"]})");
}

TEST_CASE("durations are duration text or integer seconds") {
  harness h;
  const triage::field_handle sla = h.p->field("sla");
  const std::pair<const char*, std::int64_t> cases[] = {
      {R"("90s")", 90}, {R"("2h")", 7200}, {R"("1w2d3h4m5s")", 788645}, {R"("-15m")", -900},
      {"3600", 3600}, {"-5", -5}, {R"("0s")", 0}, {R"("9223372036854775807s")", 9223372036854775807}};
  for (const auto& [text, seconds] : cases) {
    CAPTURE(text);
    REQUIRE(h.error_of(std::string(R"({"issue": "x", "urgency": "low", "sla": )") + text + "}") == "");
    CHECK(h.t.get_int(sla) == seconds);
  }
}

TEST_CASE("each kind of invalid value is rejected with a message naming the field") {
  harness h;
  auto with = [](std::string_view member) {
    return std::string(R"({"issue": "x", "urgency": "low", )") + std::string(member) + "}";
  };
  CHECK(h.error_of(R"({"issue": "x", "urgency": "hgih"})") ==
        R"(field 'urgency': "hgih" is not one of low, medium, high, critical)");
  CHECK(h.error_of(R"({"issue": "x", "urgency": 2})") ==
        "field 'urgency': expected one of low, medium, high, critical, found 2");
  CHECK(h.error_of(with(R"("sla": true)")) ==
        R"(field 'sla': expected a duration such as "1h30m" or a number of seconds, found true)");
  CHECK(h.error_of(with(R"("sla": "1h70")")) ==
        R"(field 'sla': expected a duration such as "1h30m" or a number of seconds, found "1h70")");
  CHECK(h.error_of(with(R"("sla": "30m1h")")) ==
        R"(field 'sla': expected a duration such as "1h30m" or a number of seconds, found "30m1h")");
  CHECK(h.error_of(with(R"("sla": "")")) ==
        R"(field 'sla': expected a duration such as "1h30m" or a number of seconds, found "")");
  CHECK(h.error_of(with(R"("sla": "99999999999999999999s")")) ==
        R"(field 'sla': expected a duration such as "1h30m" or a number of seconds, found "99999999999999999999s")");
  CHECK(h.error_of(with(R"("sla": 1.5)")) ==
        R"(field 'sla': expected a duration such as "1h30m" or a number of seconds, found 1.5)");
  CHECK(h.error_of(with(R"("reopened": 3.0)")) == "field 'reopened': expected an integer, found 3.0");
  CHECK(h.error_of(with(R"("reopened": 3e0)")) == "field 'reopened': expected an integer, found 3.0");
  CHECK(h.error_of(with(R"("reopened": "3")")) == R"(field 'reopened': expected an integer, found "3")");
  CHECK(h.error_of(with(R"("reopened": 18446744073709551615)")) ==
        "field 'reopened': expected an integer that fits in 64 bits, found 18446744073709551615");
  CHECK(h.error_of(with(R"("score": "high")")) == R"(field 'score': expected a number, found "high")");
  CHECK(h.error_of(with(R"("vip": "yes")")) == R"(field 'vip': expected true or false, found "yes")");
  CHECK(h.error_of(with(R"("vip": 1)")) == "field 'vip': expected true or false, found 1");
  CHECK(h.error_of(R"({"issue": ["x"], "urgency": "low"})") == "field 'issue': expected a string, found an array");
  CHECK(h.error_of(with(R"("tags": "vpn")")) == R"(field 'tags': expected an array of strings, found "vpn")");
  CHECK(h.error_of(with(R"("tags": ["vpn", 3])")) ==
        "field 'tags': expected an array of strings, found 3 in the array");
  CHECK(h.error_of(with(R"("tags": {"vpn": true})")) ==
        "field 'tags': expected an array of strings, found an object");
}

TEST_CASE("a missing required field is rejected, and null counts as missing") {
  harness h;
  CHECK(h.error_of(R"({"urgency": "low"})") == "missing required field 'issue'");
  CHECK(h.error_of(R"({"issue": "x"})") == "missing required field 'urgency'");
  CHECK(h.error_of(R"({"issue": "x", "urgency": null})") == "missing required field 'urgency'");
  CHECK(h.error_of(R"({})") == "missing required field 'issue'");
}

TEST_CASE("a key given twice is rejected, whichever key it is") {
  harness h;
  CHECK(h.error_of(R"({"issue": "x", "urgency": "low", "sla": "1h", "sla": "2h"})") == "duplicate key 'sla'");
  CHECK(h.error_of(R"({"issue": "x", "urgency": "low", "other": 1, "other": 1})") == "duplicate key 'other'");
  // The duplicate reported is the first to repeat.
  CHECK(h.error_of(R"({"b": 1, "a": 1, "a": 2, "b": 2})") == "duplicate key 'a'");
  // A key spelled with an escape is the same key.
  CHECK(h.error_of(R"({"issue": "x", "urgency": "low", "s\u006ca": 1, "sla": 2})") == "duplicate key 'sla'");
}

TEST_CASE("a line that is not one JSON object is rejected") {
  harness h;
  CHECK(h.error_of(R"([1, 2])") == "not a JSON object");
  CHECK(h.error_of(R"("text")") == "not a JSON object");
  CHECK(h.error_of("42") == "not a JSON object");
  CHECK(h.error_of("") == "invalid JSON: the line is empty");
  CHECK(h.error_of("   ") == "invalid JSON: the line is empty");
  const std::string structure =
      "invalid JSON: malformed structure (a missing or extra comma, colon, bracket or brace, or text after the value)";
  CHECK(h.error_of(R"({"issue": "x", "urgency": "low"} x)") == structure);
  CHECK(h.error_of(R"({"issue": "x", "urgency": "low"}{})") == structure);
  CHECK(h.error_of(R"({"issue": "x", )") == structure);
  CHECK(h.error_of(R"({"issue" "x"})") == structure);
  CHECK(h.error_of(R"({'issue': 'x'})") == structure);
  CHECK(h.error_of(R"({"issue": "x)") == "invalid JSON: a string is not closed");
  CHECK(h.error_of("{\"issue\": \"a\tb\"}") == "invalid JSON: a control character in a string is not escaped");
  CHECK(h.error_of(R"({"issue": "\q"})") == "invalid JSON: a malformed string or escape");
  CHECK(h.error_of(R"({"vip": ture})") == "invalid JSON: a word that is not true, false or null");
  CHECK(h.error_of(R"({"score": 1e999})") == "invalid JSON: a malformed or out-of-range number");
  CHECK(h.error_of(R"({"score": 01})") == "invalid JSON: a malformed or out-of-range number");
  CHECK(h.decoder.id_json() == "null");
}

TEST_CASE("invalid UTF-8 is rejected, in keys, values and ignored members alike") {
  harness h;
  CHECK(h.error_of("{\"issue\": \"caf\xC3\", \"urgency\": \"low\"}") == "invalid JSON: the text is not valid UTF-8");
  CHECK(h.error_of("{\"\xFF\": 1, \"issue\": \"x\", \"urgency\": \"low\"}") ==
        "invalid JSON: the text is not valid UTF-8");
  CHECK(h.error_of("{\"issue\": \"\xED\xA0\x80\", \"urgency\": \"low\"}") ==  // a UTF-16 surrogate
        "invalid JSON: the text is not valid UTF-8");
  CHECK(h.error_of("{\"issue\": \"caf\xC3\xA9\", \"urgency\": \"low\"}") == "");
}

TEST_CASE("nesting 10,000 deep is an error, not a crash") {
  harness h;
  std::string deep = R"({"issue": "x", "urgency": "low", "extra": )";
  deep += std::string(10'000, '[');
  deep += std::string(10'000, ']');
  deep += '}';
  CHECK(h.error_of(deep) == "JSON nested more than max_json_nesting (1024) levels deep");
  std::string objects = R"({"issue": "x", "urgency": "low", "extra": )";
  for (int i = 0; i < 10'000; ++i) objects += R"({"a":)";
  objects += "1";
  objects += std::string(10'000, '}');
  objects += '}';
  CHECK(h.error_of(objects) == "JSON nested more than max_json_nesting (1024) levels deep");
}

TEST_CASE("a 100 MB string is decoded, and quoted short in an error") {
  harness h;
  const std::string big(100u << 20, 'a');
  REQUIRE(h.error_of(R"({"urgency": "low", "issue": ")" + big + "\"}") == "");
  CHECK(h.t.get_text(h.p->field("issue")).size() == big.size());
  const std::string error = h.error_of(R"({"issue": "x", "urgency": ")" + big + "\"}");
  CHECK(error == "field 'urgency': \"" + std::string(64, 'a') + "...\" is not one of low, medium, high, critical");
}

TEST_CASE("the id key's value is echoed as JSON text, even for a rejected ticket") {
  auto p = compile_schema();
  triage::ticket t{p};
  triage::ticket_decoder by_id{p};
  CHECK_FALSE(by_id.decode(R"({"id": 17, "urgency": "low"})", t));
  CHECK(by_id.id_json() == "17");
  CHECK(by_id.decode(R"({"issue": "x", "urgency": "low"})", t));
  CHECK(by_id.id_json() == "null");
  triage::ticket_decoder by_key{p, "ticket"};
  CHECK(by_key.decode(R"({"ticket": {"n": "T-9", "k": [1, 2]}, "id": 1, "issue": "x", "urgency": "low"})", t));
  CHECK(by_key.id_json() == R"({"n":"T-9","k":[1,2]})");
  CHECK(by_key.error().empty());
}

TEST_CASE("a decoder reuses the ticket: fields of the previous line never leak into the next") {
  harness h;
  REQUIRE(h.error_of(R"({"issue": "x", "urgency": "low", "sla": 60, "tags": ["vpn"]})") == "");
  REQUIRE(h.error_of(R"({"issue": "y", "urgency": "high"})") == "");
  CHECK_FALSE(h.t.present(h.p->field("sla")));
  CHECK_FALSE(h.t.present(h.p->field("tags")));
  CHECK(h.t.get_text(h.p->field("issue")) == "y");
  // A rejected line leaves an empty ticket.
  CHECK(h.error_of(R"({"issue": "z", "urgency": "nope"})") != "");
  CHECK_FALSE(h.t.present(h.p->field("issue")));
}

TEST_CASE("typed setters store values and reject misuse with std::invalid_argument") {
  auto p = compile_schema();
  triage::ticket t{p};
  const triage::field_handle sla = p->field("sla"), score = p->field("score"), reopened = p->field("reopened");
  const triage::field_handle urgency = p->field("urgency"), tags = p->field("tags"), vip = p->field("vip");
  t.set(sla, std::chrono::minutes{90});
  CHECK(t.get_int(sla) == 5400);
  t.set(sla, 60);  // an integer on a duration field is seconds
  CHECK(t.get_int(sla) == 60);
  t.set(score, 3);  // an integer on a number field converts
  CHECK(t.get_number(score) == 3.0);
  t.set(score, 0.25);
  CHECK(t.get_number(score) == 0.25);
  t.set(reopened, std::int64_t{-4});
  CHECK(t.get_int(reopened) == -4);
  t.set(urgency, "critical");
  CHECK(t.get_int(urgency) == 3);
  t.set_member(urgency, 1);
  CHECK(t.get_text(urgency) == "medium");
  t.set(vip, true);
  CHECK(t.get_bool(vip));
  t.set_tags(tags, {});
  CHECK(t.present(tags));
  t.add_tag(tags, "vpn");
  CHECK(t.has_tag(tags, "vpn"));
  t.clear(tags);
  CHECK_FALSE(t.present(tags));

  CHECK_THROWS_AS(t.set(p->field("nope"), 1), std::invalid_argument);
  CHECK_THROWS_AS(t.set(urgency, "hgih"), std::invalid_argument);
  CHECK_THROWS_AS(t.set(urgency, 1), std::invalid_argument);
  CHECK_THROWS_AS(t.set(vip, "true"), std::invalid_argument);
  CHECK_THROWS_AS(t.set(score, std::numeric_limits<double>::infinity()), std::invalid_argument);
  CHECK_THROWS_AS(t.set_member(urgency, 4), std::invalid_argument);
  CHECK_THROWS_WITH(t.set(reopened, "3"), "triage::ticket: field 'reopened' is int, not text");

  t.reset();
  CHECK_FALSE(t.present(sla));
  CHECK_FALSE(t.present(urgency));
  CHECK(t.to_json() == "{}");
}

// ---- limits (triage::ticket_limits): each accepted at N and rejected at N + 1 ----------

namespace {

// A valid ticket with `extra` members after the required ones.
std::string ticket_with(std::string_view extra) {
  return std::string(R"({"issue": "x", "urgency": "low")") + std::string(extra) + "}";
}

// `levels` nested arrays around 1, as the value of an ignored key.
std::string nested_arrays(std::size_t levels) {
  return R"(, "extra": )" + std::string(levels, '[') + "1" + std::string(levels, ']');
}

// `n` tags, "t0" to "t<n-1>", as JSON array items.
std::string tag_items(std::size_t n) {
  std::string items;
  for (std::size_t i = 0; i < n; ++i) items += (i ? ", \"t" : "\"t") + std::to_string(i) + "\"";
  return items;
}

}  // namespace

TEST_CASE("max_line_bytes: a ticket of exactly N bytes decodes, one of N + 1 is rejected naming the limit") {
  const auto p = compile_schema();
  triage::ticket t{p};
  const std::string line = ticket_with("");
  triage::ticket_limits lim;
  lim.max_line_bytes = line.size();
  triage::ticket_decoder decoder{p, "id", lim};
  CHECK(decoder.decode(line, t));
  CHECK_FALSE(decoder.decode(line + " ", t));
  CHECK(decoder.error() == "line is longer than max_line_bytes (" + std::to_string(line.size()) + ")");
  CHECK(decoder.id_json() == "null");
  CHECK(triage::ticket_limits{}.max_line_bytes == std::size_t{256} << 20);
}

TEST_CASE("max_json_nesting: the ticket's object counts as level 1; N levels decode, N + 1 are rejected") {
  const auto p = compile_schema();
  triage::ticket t{p};
  SUBCASE("a small limit") {
    triage::ticket_limits lim;
    lim.max_json_nesting = 3;
    triage::ticket_decoder decoder{p, "id", lim};
    CHECK(decoder.decode(ticket_with(nested_arrays(2)), t));
    CHECK(decoder.decode(ticket_with(R"(, "extra": {"a": [1]})"), t));
    CHECK_FALSE(decoder.decode(ticket_with(nested_arrays(3)), t));
    CHECK(decoder.error() == "JSON nested more than max_json_nesting (3) levels deep");
    CHECK_FALSE(decoder.decode(ticket_with(R"(, "extra": {"a": {"b": [1]}})"), t));
    CHECK(decoder.error() == "JSON nested more than max_json_nesting (3) levels deep");
    // The limit is kept when the parser grows for a longer line.
    CHECK_FALSE(decoder.decode(ticket_with(R"(, "pad": ")" + std::string(100'000, 'x') + "\"" + nested_arrays(3)), t));
    CHECK(decoder.error() == "JSON nested more than max_json_nesting (3) levels deep");
  }
  SUBCASE("the default, 1024") {
    harness h;
    CHECK(h.error_of(ticket_with(nested_arrays(1023))) == "");
    CHECK(h.error_of(ticket_with(nested_arrays(1024))) == "JSON nested more than max_json_nesting (1024) levels deep");
  }
  SUBCASE("a limit above simdjson's default of 1024") {
    triage::ticket_limits lim;
    lim.max_json_nesting = 5000;
    triage::ticket_decoder decoder{p, "id", lim};
    CHECK(decoder.decode(ticket_with(nested_arrays(4999)), t));
    CHECK_FALSE(decoder.decode(ticket_with(nested_arrays(5000)), t));
    CHECK(decoder.error() == "JSON nested more than max_json_nesting (5000) levels deep");
  }
  SUBCASE("0 is misuse") {
    triage::ticket_limits lim;
    lim.max_json_nesting = 0;
    CHECK_THROWS_WITH_AS(triage::ticket_decoder(p, "id", lim),
                         "triage::ticket_decoder: max_json_nesting must be at least 1", std::invalid_argument);
  }
}

TEST_CASE("max_tags_per_ticket: N tags decode, N + 1 are rejected, duplicates and unmentioned tags included") {
  const auto p = compile_schema();
  triage::ticket t{p};
  SUBCASE("a small limit") {
    triage::ticket_limits lim;
    lim.max_tags_per_ticket = 3;
    triage::ticket_decoder decoder{p, "id", lim};
    CHECK(decoder.decode(ticket_with(R"(, "tags": ["vpn", "vpn", "never-mentioned"])"), t));
    CHECK(t.has_tag(p->field("tags"), "vpn"));
    CHECK_FALSE(decoder.decode(ticket_with(R"(, "id": 7, "tags": ["vpn", "vpn", "a", "b"])"), t));
    CHECK(decoder.error() == "field 'tags': 4 tags, more than max_tags_per_ticket (3)");
    CHECK(decoder.id_json() == "7");
    // The count starts again with every ticket.
    CHECK(decoder.decode(ticket_with(R"(, "tags": ["a", "b", "c"])"), t));
  }
  SUBCASE("the default, 1024") {
    harness h;
    CHECK(h.error_of(ticket_with(", \"tags\": [" + tag_items(1024) + "]")) == "");
    CHECK(h.error_of(ticket_with(", \"tags\": [" + tag_items(1025) + "]")) ==
          "field 'tags': 1025 tags, more than max_tags_per_ticket (1024)");
  }
  SUBCASE("every tags field of a ticket counts toward one total") {
    triage::compile_result r = triage::compile(
        "field tags: tags\nfield labels: tags\noutput o: flag\no if tags has \"a\" or labels has \"b\"\n",
        "two.rules");
    REQUIRE(r.ok());
    triage::ticket two{r.value};
    triage::ticket_limits lim;
    lim.max_tags_per_ticket = 3;
    triage::ticket_decoder decoder{r.value, "id", lim};
    CHECK(decoder.decode(R"({"tags": ["a", "x"], "labels": ["b"]})", two));
    CHECK_FALSE(decoder.decode(R"({"tags": ["a", "x"], "labels": ["b", "y"]})", two));
    CHECK(decoder.error() == "field 'labels': 4 tags, more than max_tags_per_ticket (3)");
  }
}

TEST_CASE("max_string_field_bytes: a string field of N bytes decodes, N + 1 is rejected; escapes count decoded") {
  const auto p = compile_schema();
  triage::ticket t{p};
  triage::ticket_limits lim;
  lim.max_string_field_bytes = 4;
  triage::ticket_decoder decoder{p, "id", lim};
  CHECK(decoder.decode(R"({"issue": "abcd", "urgency": "low"})", t));
  // Four bytes once decoded ("é" is two), though twelve as written.
  CHECK(decoder.decode(R"({"issue": "\u00e9\u00e9", "urgency": "low"})", t));
  CHECK(t.get_text(p->field("issue")) == "\xC3\xA9\xC3\xA9");
  CHECK_FALSE(decoder.decode(R"({"id": "T-1", "issue": "abcde", "urgency": "low"})", t));
  CHECK(decoder.error() == "field 'issue': a string of 5 bytes, more than max_string_field_bytes (4)");
  CHECK(decoder.id_json() == R"("T-1")");
  // Only string fields: an enum value, a tag or an ignored key may be longer.
  CHECK(decoder.decode(R"({"issue": "abcd", "urgency": "medium", "tags": ["long-tag"], "note": "long text"})", t));
  CHECK(triage::ticket_limits{}.max_string_field_bytes == std::size_t{256} << 20);
}

// ---- the malformed-ticket suite (tests/data/malformed_tickets) ---------------------------

namespace {

struct malformed_case {
  std::string name;   // NAME.json
  std::string text;   // the ticket line, without its "\n"
  std::string id;     // the id as eval echoes it
  std::string error;  // the exact message
};

std::filesystem::path suite_dir() {
  return std::filesystem::path(TRIAGE_SOURCE_DIR) / "tests" / "data" / "malformed_tickets";
}

std::string read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<malformed_case> malformed_suite() {
  std::vector<malformed_case> cases;
  std::istringstream expected(read_bytes(suite_dir() / "expected.txt"));
  std::string row;
  while (std::getline(expected, row)) {
    if (row.empty() || row[0] == '#') continue;
    const std::size_t tab1 = row.find('\t');
    const std::size_t tab2 = row.find('\t', tab1 + 1);
    REQUIRE(tab2 != std::string::npos);
    malformed_case c{row.substr(0, tab1), {}, row.substr(tab1 + 1, tab2 - tab1 - 1), row.substr(tab2 + 1)};
    c.text = read_bytes(suite_dir() / c.name);
    // One line each, so that the files concatenated are a JSON Lines stream.
    INFO(c.name);
    REQUIRE(c.text.find('\n') == c.text.size() - 1);
    c.text.pop_back();
    cases.push_back(std::move(c));
  }
  return cases;
}

}  // namespace

TEST_CASE("every ticket of the malformed suite is rejected with its exact error, and its id when it has one") {
  triage::compile_result r = triage::compile_file(suite_dir() / "schema.rules");
  REQUIRE(r.ok());
  triage::ticket_decoder decoder{r.value};
  triage::ticket t{r.value};
  const std::vector<malformed_case> cases = malformed_suite();
  CHECK(cases.size() == 77);
  std::set<std::string> listed;
  for (const malformed_case& c : cases) {
    CAPTURE(c.name);
    CHECK(listed.insert(c.name).second);
    CHECK_FALSE(decoder.decode(c.text, t));
    CHECK(decoder.error() == c.error);
    CHECK(decoder.id_json() == c.id);
  }
  // Every ticket in the folder is listed, so none is skipped silently.
  for (const auto& entry : std::filesystem::directory_iterator(suite_dir())) {
    if (entry.path().extension() != ".json") continue;
    CHECK_MESSAGE(listed.count(entry.path().filename().string()) == 1, entry.path().filename().string());
  }
}

TEST_CASE("generated hostile tickets: depth bombs, huge strings and tag floods are rejected, never a crash") {
  triage::compile_result r = triage::compile_file(suite_dir() / "schema.rules");
  REQUIRE(r.ok());
  triage::ticket_decoder decoder{r.value};
  triage::ticket t{r.value};
  const auto error_of = [&](const std::string& json) {
    return decoder.decode(json, t) ? std::string{} : decoder.error();
  };
  const std::string head = R"({"id": "g", "issue": "x", "urgency": "low")";
  // A million unclosed brackets (found unbalanced before their depth), and a million closed.
  CHECK(error_of(head + R"(, "note": )" + std::string(1'000'000, '[')) ==
        "invalid JSON: malformed structure (a missing or extra comma, colon, bracket or brace, or text after the value)");
  CHECK(error_of(head + R"(, "note": )" + std::string(1'000'000, '[') + std::string(1'000'000, ']') + "}") ==
        "JSON nested more than max_json_nesting (1024) levels deep");
  // 16 MB strings with one fault at their very end.
  const std::string big(16u << 20, 'a');
  CHECK(error_of(head + R"(, "note": ")" + big + R"(\x"})") == "invalid JSON: a malformed string or escape");
  CHECK(error_of(head + R"(, "note": ")" + big + "\x01\"}") ==
        "invalid JSON: a control character in a string is not escaped");
  CHECK(error_of(head + R"(, "note": ")" + big + "\xC3\"}") == "invalid JSON: the text is not valid UTF-8");
  CHECK(error_of(head + R"(, "note": ")" + big + R"(\ud800"})") == "invalid JSON: a malformed string or escape");
  CHECK(error_of(head + R"(, "note": ")" + big) == "invalid JSON: a string is not closed");
  // A million tags, and a million keys.
  CHECK(error_of(head + R"(, "tags": [)" + tag_items(1'000'000) + "]}") ==
        "field 'tags': 1000000 tags, more than max_tags_per_ticket (1024)");
  std::string keys = head;
  for (int i = 0; i < 1'000'000; ++i) keys += ", \"k" + std::to_string(i) + "\": 1";
  CHECK(error_of(keys + R"(, "k999999": 2})") == "duplicate key 'k999999'");
  CHECK(error_of(keys + "}") == "");
}

TEST_CASE("a copied ticket owns its values, and a moved-from ticket reads every field as missing") {
  const auto p = compile_schema();
  const triage::field_handle issue = p->field("issue"), urgency = p->field("urgency"), sla = p->field("sla");
  const triage::field_handle score = p->field("score"), tags = p->field("tags");
  triage::ticket a{p};
  a.set(issue, "fix VPN");
  a.set(urgency, "high");
  a.set(sla, std::chrono::minutes{90});
  a.set(score, 0.75);
  a.set_tags(tags, {"vpn"});

  triage::ticket b = a;  // a copy: changing one leaves the other as it was
  b.set(urgency, "low");
  b.set_tags(tags, {});
  b.clear(score);
  CHECK(a.to_json() == R"({"issue": "fix VPN", "urgency": "high", "sla": "1h30m", "score": 0.75, "tags": ["vpn"]})");
  CHECK(b.to_json() == R"({"issue": "fix VPN", "urgency": "low", "sla": "1h30m", "tags": []})");
  b = a;  // copy-assigned over a ticket that held other values
  CHECK(b.to_json() == a.to_json());

  triage::ticket c = std::move(a);
  CHECK(c.to_json() == R"({"issue": "fix VPN", "urgency": "high", "sla": "1h30m", "score": 0.75, "tags": ["vpn"]})");
  CHECK_FALSE(a.present(urgency));  // NOLINT(bugprone-use-after-move): what this test is about
  CHECK(a.get_int(sla) == 0);       // NOLINT(bugprone-use-after-move)
  triage::decision d{p};
  p->evaluate(c, d);
  CHECK(d.to_json() == R"({"urgent": true, "label": "x"})");
}

TEST_CASE("a ticket too large to hold its values inline copies and moves them as well") {
  // 24 int fields need more than the 256 bytes a ticket holds inline.
  std::string text;
  for (int i = 0; i < 24; ++i) text += "field f" + std::to_string(i) + ": int\n";
  text += "output big: flag\nbig if f23 > 100\n";
  triage::compile_result r = triage::compile(text, "wide.rules");
  REQUIRE(r.ok());
  const auto& p = r.value;
  triage::ticket a{p};
  for (std::uint32_t i = 0; i < 24; ++i) a.set(p->field_at(i), std::int64_t{1000} + i);
  triage::ticket b = a;
  b.set(p->field("f23"), 5);
  triage::ticket c = std::move(a);
  CHECK(c.get_int(p->field("f23")) == 1023);
  CHECK(b.get_int(p->field("f23")) == 5);
  CHECK(b.get_int(p->field("f0")) == 1000);
  CHECK_FALSE(a.present(p->field("f0")));  // NOLINT(bugprone-use-after-move): what this test is about
  triage::decision d{p};
  p->evaluate(c, d);
  CHECK(d.to_json() == R"({"big": true})");
  p->evaluate(b, d);
  CHECK(d.to_json() == R"({"big": false})");
}
