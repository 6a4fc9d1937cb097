# Runs PROGRAM with ARGS ('|'-separated; stdin from INPUT when given) and checks:
#   EXPECT_EXIT       the exit status (required)
#   EXPECT_LINES_OF   a JSON Lines file: stdout must have one line per non-blank line of it
#   EXPECT_ERRORS     how many stdout lines are error lines ("error": ...)
#   EXPECT_STDERR     the last line of stderr
string(REPLACE "|" ";" args "${ARGS}")
set(input_args)
if(INPUT)
  set(input_args INPUT_FILE ${INPUT})
endif()
execute_process(COMMAND ${PROGRAM} ${args} ${input_args}
  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE status)

if(NOT status STREQUAL EXPECT_EXIT)
  message(FATAL_ERROR "exit status ${status}, expected ${EXPECT_EXIT}\nstdout:\n${out}\nstderr:\n${err}")
endif()
# A summary line on stdout ("7 passed, 0 failed") is worth seeing in ctest -V.
message(STATUS "exit status ${status} as expected")

if(EXPECT_LINES_OF)
  # Semicolons would split CMake lists: count lines with them replaced.
  file(READ ${EXPECT_LINES_OF} input)
  string(REPLACE ";" "," input "${input}")
  string(REGEX MATCHALL "[^\n]*[^ \t\r\n][^\n]*" input_lines "${input}")
  list(LENGTH input_lines expected)
  string(REGEX REPLACE "[^\n]" "" newlines "${out}")
  string(LENGTH "${newlines}" actual)
  if(NOT actual EQUAL expected)
    message(FATAL_ERROR "${actual} output lines, expected ${expected} (one per ticket)")
  endif()
  message(STATUS "${actual} output lines, one per ticket")
endif()

if(DEFINED EXPECT_ERRORS)
  string(REGEX MATCHALL "\"error\": " errors "${out}")
  list(LENGTH errors actual)
  if(NOT actual EQUAL EXPECT_ERRORS)
    message(FATAL_ERROR "${actual} error lines, expected ${EXPECT_ERRORS}\nstdout:\n${out}")
  endif()
endif()

if(DEFINED EXPECT_STDERR)
  string(STRIP "${err}" stripped)
  string(REGEX REPLACE ".*\n" "" last "${stripped}")
  if(NOT last STREQUAL EXPECT_STDERR)
    message(FATAL_ERROR "last line of stderr is '${last}', expected '${EXPECT_STDERR}'\n${err}")
  endif()
endif()
