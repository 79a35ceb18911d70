import { describe, expect, it } from 'vitest';
import { allActions } from '../../src/handlers/actions.ts';
import { renderActionList } from '../../src/handlers/bot-commands/help-presenter.ts';

describe('help', () => {
  it('lists the emergency-contact actions in the Security Incident Response chapter', () => {
    const { text } = renderActionList(allActions);
    const chapter = text.slice(text.indexOf('*Security Incident Response*'), text.indexOf('*Incidents*'));
    expect(chapter).toContain('`/eafix contacts` —');
    expect(chapter).toContain('`/eafix contacts page` —');
  });
});
