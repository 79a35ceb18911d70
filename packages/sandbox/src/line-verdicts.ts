/**
 * Judges console lines as a script would: each action line's output and errors are kept until the next
 * action line, `expect` and `expect-error` check them, and an error nothing excused counts as a failure.
 */
export class LineVerdicts {
  failures = 0;
  /** Output and errors of the last action line, for `expect` and `expect-error`. */
  private output: string[] = [];
  private errors: string[] = [];
  private line = '';

  constructor(private readonly write: (line: string) => void) {}

  /** True for the lines that judge the previous one instead of acting. */
  static isExpectation(line: string): boolean {
    return /^expect(-error)?(\s|$)/.test(line.trim());
  }

  /** A new action line: what it shows and the errors it meets are judged from here on. */
  start(line: string): void {
    this.output = [];
    this.errors = [];
    this.line = line;
  }

  /** A line the current action line showed. */
  shown(line: string): void {
    this.output.push(line);
  }

  /** An error or refusal the current action line met. */
  error(text: string): void {
    this.errors.push(text);
  }

  /** Whether an error already recorded for this line says `text`. */
  hasError(text: string): boolean {
    return this.errors.some((e) => e.includes(text));
  }

  /**
   * Ends the previous action line: an error or refusal no `expect-error` excused is a failure. Called
   * before the next action line (scripts call it before echoing that line) and at the end.
   */
  conclude(): void {
    if (this.errors.length === 0) return;
    this.failures += 1;
    this.write(
      `!! \`${this.line}\` ended in an error or refusal that no expect-error excused: ${this.errors.join('; ')}`,
    );
    this.errors = [];
  }

  /** `expect <text>` checks the previous line's output; `expect-error <text>` excuses its error. */
  expectation(word: string, text: string): void {
    const wanted = text.replace(/^["']|["']$/g, '').toLowerCase();
    const output = this.output.join('\n').toLowerCase();
    if (!wanted) {
      this.failures += 1;
      this.write(`!! ${word} needs the text to look for, e.g. ${word} "not allowed"`);
    } else if (word === 'expect') {
      if (output.includes(wanted)) this.write(`(ok: saw "${text}")`);
      else {
        this.failures += 1;
        this.write(`!! expected "${text}" after \`${this.line}\`, but it was not shown`);
      }
    } else if (this.errors.length === 0) {
      this.failures += 1;
      this.write(`!! expected \`${this.line}\` to end in an error saying "${text}", but it succeeded`);
    } else if (this.errors.some((e) => e.toLowerCase().includes(wanted)) || output.includes(wanted)) {
      this.errors = [];
      this.write(`(ok: refused as expected: "${text}")`);
    } else {
      this.failures += 1;
      this.write(`!! \`${this.line}\` failed, but not with "${text}": ${this.errors.join('; ')}`);
      this.errors = [];
    }
  }
}
