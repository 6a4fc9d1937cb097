// The grammar itself: PEGTL's static analysis finds no rule that can loop without
// consuming input, and no alternative that can never be reached for that reason.
#include "parse/grammar.hpp"

#include <doctest/doctest.h>

TEST_CASE("the grammar has no problems that PEGTL's analyze can find") {
  // verbose = 1 prints any problem it finds, so a failure explains itself.
  CHECK(triage_pegtl::analyze<triage::detail::grammar::policy>(1) == 0);
}
