// Fuzz target: the homework parsers (sim/homework/). Each input is read two ways:
//  - as an answers file, graded (grade_answers) against one fixed problem, lesson 1's
//    template drawn with seed 7, whose key the simulator computes once at start-up;
//  - as a homework template or problem (read_homework_text), and, when it is a
//    template, made into a problem (make_problem: the draws and the substitution).
// Grading never throws for an answers file; the template reader ends in a Homework or
// an InputError. Seeds: course/*/homework.yaml and answer keys made from them.
#include <cstdint>
#include <string>

#include "sim/homework/answer_key.h"
#include "sim/homework/grade.h"
#include "sim/homework/homework.h"
#include "sim/homework/problem.h"
#include "tests/fuzz/fuzz_input_file.h"

#ifndef KIOSIM_SOURCE_DIR
#error "KIOSIM_SOURCE_DIR must name the source tree (lesson 1's template is read from it)"
#endif

namespace {

struct Graded {
  kiosim::homework::Homework h;
  std::vector<kiosim::homework::KeyAnswer> key;
};

const Graded& lesson_one() {
  static const Graded g = [] {
    const std::string tmpl = std::string(KIOSIM_SOURCE_DIR) + "/course/01-copy-problem/homework.yaml";
    std::string text = kiosim::homework::make_problem(tmpl, 7);
    Graded out;
    out.h = kiosim::homework::read_homework_text(text, tmpl);
    out.key = kiosim::homework::compute_key(out.h, kiosim::load_scenario_text(text, tmpl), 1);
    return out;
  }();
  return g;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static kiosim::fuzz::RemoveAtExit cleanup(".answers.yaml");
  const Graded& g = lesson_one();
  const std::string& path = kiosim::fuzz::write_input(data, size, ".answers.yaml");
  (void)kiosim::homework::grade_answers(g.h, g.key, path);  // never throws
  std::string seed;
  (void)kiosim::homework::answers_student(path, seed);
  try {
    kiosim::homework::Homework h =
        kiosim::homework::read_homework_text(std::string(reinterpret_cast<const char*>(data), size), path);
    if (!h.is_problem) (void)kiosim::homework::make_problem(path, 7, "student-1");
  } catch (const kiosim::InputError&) {
  }
  return 0;
}
