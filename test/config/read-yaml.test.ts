import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readYaml } from '../../src/config/read-yaml.ts';

describe('readYaml', () => {
  it('reads the example and deployed policies exactly as the yaml package does', () => {
    for (const file of ['config/eafix-policy.example.yml', 'deploy/kubernetes/base/policy/eafix-policy.yml']) {
      const text = readFileSync(file, 'utf8');
      expect(readYaml(text)).toEqual({ ok: true, value: parse(text) });
    }
  });

  it('keeps YAML 1.2 core meanings: dates, yes/on and times stay strings', () => {
    expect(readYaml('day: 2026-11-30\nflag: yes\nwhen: on\nat: "02:00"\nn: 010\nx: 1_000')).toEqual({
      ok: true,
      value: parse('day: 2026-11-30\nflag: yes\nwhen: on\nat: "02:00"\nn: 010\nx: 1_000'),
    });
    const read = readYaml('day: 2026-11-30\nflag: yes');
    expect(read).toEqual({ ok: true, value: { day: '2026-11-30', flag: 'yes' } });
  });

  it("explains a broken file in the yaml package's words, with the position", () => {
    expect(readYaml('channels: [unclosed')).toEqual({
      ok: false,
      errors: [expect.stringMatching(/Flow sequence .* end with a \] at line 1, column 20/)],
    });
    expect(readYaml('a: 1\na: 2')).toEqual({
      ok: false,
      errors: [expect.stringMatching(/^Map keys must be unique at line 2, column 1/)],
    });
  });
});
