// The grammar itself: PEGTL's static analysis, and the reference grammar in
// grammar/triage.peg kept in step with the PEGTL rules of src/parse/grammar.hpp.
#include "parse/grammar.hpp"

#include <doctest/doctest.h>

#include <cctype>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace {

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream file(path);
  REQUIRE(file.good());
  std::vector<std::string> lines;
  for (std::string line; std::getline(file, line);) lines.push_back(line);
  return lines;
}

std::string squeeze(const std::string& text) {
  std::istringstream words(text);
  std::string out;
  for (std::string word; words >> word;) {
    if (!out.empty()) out += ' ';
    out += word;
  }
  return out;
}

bool is_word(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// "name <- definition" at the start of `line` (after `prefix`): the name, or "".
std::string defined_name(const std::string& line, std::size_t prefix) {
  std::size_t end = prefix;
  while (end < line.size() && is_word(line[end])) ++end;
  if (end == prefix) return "";
  const std::size_t arrow = line.find_first_not_of(' ', end);
  return arrow != std::string::npos && line.compare(arrow, 3, "<- ") == 0
             ? line.substr(prefix, end - prefix)
             : "";
}

// The rules of grammar/triage.peg: name → definition (continuation lines joined).
std::map<std::string, std::string> peg_rules() {
  std::map<std::string, std::string> rules;
  std::string current;
  for (const std::string& line : read_lines(TRIAGE_SOURCE_DIR "/grammar/triage.peg")) {
    if (line.empty() || line[0] == '#') {
      current.clear();
    } else if (const std::string name = defined_name(line, 0); !name.empty()) {
      current = name;
      rules[name] = squeeze(line.substr(line.find("<- ") + 3));
    } else if (!current.empty() && line[0] == ' ') {
      rules[current].append(" ").append(squeeze(line));
    }
  }
  return rules;
}

// The PEG comment above each struct of src/parse/grammar.hpp: struct name → definition,
// without a trailing "(note)". Structs without one map to "".
std::map<std::string, std::string> header_rules() {
  std::map<std::string, std::string> rules;
  std::string comment_name;
  std::string comment;
  for (const std::string& line : read_lines(TRIAGE_SOURCE_DIR "/src/parse/grammar.hpp")) {
    if (line.rfind("// ", 0) == 0 && !defined_name(line, 3).empty()) {
      comment_name = defined_name(line, 3);
      comment = line.substr(line.find("<- ") + 3);
    } else if (line.rfind("//   ", 0) == 0 && !comment_name.empty()) {
      comment.append(" ").append(squeeze(line.substr(2)));
    } else if (line.rfind("struct ", 0) == 0 && line.find(" : ") != std::string::npos) {
      const std::string name = line.substr(7, line.find(" : ") - 7);
      const std::size_t note = comment.find("   (");
      rules[name] = comment_name == name ? squeeze(comment.substr(0, note)) : "";
      comment_name.clear();
    } else {
      comment_name.clear();
    }
  }
  return rules;
}

}  // namespace

TEST_CASE("the grammar has no problems that PEGTL's analyze can find") {
  // verbose = 1 prints any problem it finds, so a failure explains itself.
  CHECK(triage_pegtl::analyze<triage::detail::grammar::policy>(1) == 0);
}

TEST_CASE("grammar/triage.peg defines exactly the rules of the PEGTL grammar, as written there") {
  const auto peg = peg_rules();
  const auto header = header_rules();
  CHECK(peg.size() > 100);
  // Plain names, not structured bindings: clang 14's INFO cannot capture those.
  for (const auto& rule : header) {
    const std::string& name = rule.first;
    const std::string& definition = rule.second;
    INFO("rule: " << name);
    CHECK_FALSE(definition.empty());  // every struct has its PEG line above it
    REQUIRE(peg.count(name) == 1);
    CHECK(peg.at(name) == definition);
  }
  for (const auto& rule : peg) {
    const std::string& name = rule.first;
    INFO("rule: " << name);
    CHECK(header.count(name) == 1);
  }
}
