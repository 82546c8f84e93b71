// The shape of a problem a cross-field rule finds, shared by the schema's rules and the destinations' rules.

/** A problem found by a cross-field rule, at a document path. */
export interface RuleProblem {
  path: (string | number)[];
  message: string;
}
