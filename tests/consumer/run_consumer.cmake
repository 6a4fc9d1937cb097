# Builds and runs tests/consumer against triage, as a CTest test (see tests/CMakeLists.txt).
#   cmake -D MODE=find_package|add_subdirectory -D TRIAGE_SOURCE_DIR=... -D TRIAGE_BINARY_DIR=...
#         -D WORK_DIR=... -D GENERATOR=... [-D MAKE_PROGRAM=...] -D CXX_COMPILER=...
#         -D BUILD_TYPE=... [-D EXTRA_FLAGS=...] -D EXPECTED_VERSION=... -P run_consumer.cmake
# find_package installs the already-built tree into WORK_DIR/prefix first.
cmake_minimum_required(VERSION 3.21)

function(run_step what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "${what} failed (${status}):\n${ARGN}\n${out}")
  endif()
  set(step_output "${out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE "${WORK_DIR}")
set(prefix "${WORK_DIR}/prefix")
set(build "${WORK_DIR}/build")

set(configure_args
  -S "${TRIAGE_SOURCE_DIR}/tests/consumer" -B "${build}" -G "${GENERATOR}"
  "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}" "-DCMAKE_BUILD_TYPE=${BUILD_TYPE}"
  "-DCMAKE_CXX_FLAGS=${EXTRA_FLAGS}" "-DCMAKE_EXE_LINKER_FLAGS=${EXTRA_FLAGS}"
  -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF "-DTRIAGE_CONSUMER_MODE=${MODE}")
if(MAKE_PROGRAM)
  list(APPEND configure_args "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}")
endif()

if(MODE STREQUAL "find_package")
  run_step("installing triage" "${CMAKE_COMMAND}" --install "${TRIAGE_BINARY_DIR}"
           --prefix "${prefix}" --config "${BUILD_TYPE}")
  list(APPEND configure_args "-DCMAKE_PREFIX_PATH=${prefix}")
  # The pkg-config file must describe the same installed library.
  find_program(PKG_CONFIG pkg-config)
  if(PKG_CONFIG)
    file(GLOB pc_dirs "${prefix}/*/pkgconfig" "${prefix}/*/*/pkgconfig")
    set(ENV{PKG_CONFIG_PATH} "${pc_dirs}")
    run_step("pkg-config" "${PKG_CONFIG}" --modversion triage)
    string(STRIP "${step_output}" pc_version)
    if(NOT pc_version STREQUAL EXPECTED_VERSION)
      message(FATAL_ERROR "triage.pc says version '${pc_version}', expected '${EXPECTED_VERSION}'")
    endif()
    # The paths are relative to the .pc file (relocatable), so compare where they lead.
    run_step("pkg-config" "${PKG_CONFIG}" --variable=includedir triage)
    string(STRIP "${step_output}" pc_includedir)
    run_step("pkg-config" "${PKG_CONFIG}" --variable=libdir triage)
    string(STRIP "${step_output}" pc_libdir)
    file(GLOB pc_libraries "${pc_libdir}/libtriage.*")
    if(NOT EXISTS "${pc_includedir}/triage/version.hpp" OR NOT pc_libraries)
      message(FATAL_ERROR "triage.pc points to '${pc_includedir}' and '${pc_libdir}', which do "
                          "not hold triage's headers and library")
    endif()
    run_step("pkg-config" "${PKG_CONFIG}" --libs triage)
    if(NOT step_output MATCHES "-ltriage")
      message(FATAL_ERROR "unexpected pkg-config flags: ${step_output}")
    endif()
  endif()
else()
  list(APPEND configure_args "-DTRIAGE_SOURCE_DIR=${TRIAGE_SOURCE_DIR}")
endif()

run_step("configuring the consumer" "${CMAKE_COMMAND}" ${configure_args})
run_step("building the consumer" "${CMAKE_COMMAND}" --build "${build}" --config "${BUILD_TYPE}")
find_program(consumer consumer PATHS "${build}" "${build}/${BUILD_TYPE}" NO_DEFAULT_PATH
             REQUIRED)
run_step("running the consumer" "${consumer}")
set(expected "triage ${EXPECTED_VERSION}: ok, 1 rule(s)\n")
if(NOT step_output STREQUAL expected)
  message(FATAL_ERROR "the consumer printed:\n${step_output}\nexpected:\n${expected}")
endif()
message(STATUS "consumer (${MODE}): ${step_output}")
