/**
 * The catalog keys of routing form words (issue 30): problem codes, question kinds, operators.
 * Written out in full so the catalog test sees every key used.
 */
export const META_PROBLEM_KEYS = {
  title: "routing.problem.title",
  slug: "routing.problem.slug",
  slug_taken: "routing.problem.slug_taken",
  description: "routing.problem.description",
} as const;

export const FORM_PROBLEM_KEYS = {
  no_questions: "routing.problem.no_questions",
  too_many: "routing.problem.too_many",
  key: "routing.problem.key",
  duplicate_key: "routing.problem.duplicate_key",
  label: "routing.problem.label",
  options: "routing.problem.options",
  unknown_key: "routing.problem.unknown_key",
  condition_value: "routing.problem.condition_value",
  condition_option: "routing.problem.condition_option",
  url: "routing.problem.url",
  message: "routing.problem.message",
  destination: "routing.problem.destination",
  too_big: "routing.problem.too_big",
} as const;

/**
 * What a person reads for each problem with an answer (domain/routing.ts `AnswerProblem`): the
 * visitor on the form's page, the host testing sample answers in the editor.
 */
export const ANSWER_PROBLEM_KEYS = {
  required: "rform.required",
  too_long: "rform.too_long",
  one_line: "answers.line_breaks",
  characters: "answers.bad_characters",
  email: "rform.email",
  number: "rform.number",
  choice: "rform.choice",
} as const;

export const QUESTION_TYPE_KEYS = {
  short: "routing.type.short",
  long: "routing.type.long",
  email: "routing.type.email",
  phone: "routing.type.phone",
  number: "routing.type.number",
  select: "routing.type.select",
  multi: "routing.type.multi",
} as const;

export const OP_KEYS = {
  equals: "routing.op.equals",
  one_of: "routing.op.one_of",
  contains: "routing.op.contains",
  gt: "routing.op.gt",
  gte: "routing.op.gte",
  lt: "routing.op.lt",
  lte: "routing.op.lte",
} as const;
