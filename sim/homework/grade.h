// homework grade: marks an answers file question by question against the key. Every
// problem with an answers file (missing, malformed or unknown answers, a file that is
// not YAML) becomes a message with file:line and the question's id, and a zero for that
// question; grading never throws for an answers file.
#pragma once
#include <string>
#include <vector>

#include "sim/homework/answer_key.h"
#include "sim/homework/homework.h"

namespace kiosim::homework {

struct QuestionGrade {
  std::string id;
  double points = 0, score = 0;
  std::string given, expected;  // given: as the file wrote it ("" when missing)
  std::string output;           // what the student reads: right, close (half credit), wrong, the message
  std::string visibility;
};

struct StudentGrade {
  std::string file, student;
  std::vector<QuestionGrade> questions;
  std::vector<std::string> messages;  // file:line: question `id`: ...
  double score = 0, max_score = 0;
};

// The `student:` (or `seed:`) an answers file names, for grading against a template; ""
// when it names none or cannot be read.
std::string answers_student(const std::string& answers_path, std::string& seed);

StudentGrade grade_answers(const Homework& h, const std::vector<KeyAnswer>& key, const std::string& answers_path);

}  // namespace kiosim::homework
