import type { Json } from './types.ts';

/** Block Kit limits Slack enforces server-side. Problems read like Slack's: "… [json-pointer:/blocks/0/text]". */
export const LIMITS = {
  messageBlocks: 50,
  viewBlocks: 100,
  messageText: 40_000,
  sectionText: 3000,
  sectionFields: 10,
  sectionFieldText: 2000,
  headerText: 150,
  actionsElements: 25,
  contextElements: 10,
  buttonText: 75,
  actionId: 255,
  blockId: 255,
  buttonValue: 2000,
  buttonUrl: 3000,
  viewTitle: 24,
  viewSubmit: 24,
  viewClose: 24,
  privateMetadata: 3000,
  callbackId: 255,
  externalId: 255,
  inputLabel: 2000,
  placeholder: 150,
  options: 100,
  optionText: 75,
  optionValue: 150,
} as const;

const BLOCK_TYPES = new Set([
  'section',
  'divider',
  'image',
  'actions',
  'context',
  'header',
  'input',
  'file',
  'rich_text',
  'video',
  'markdown',
]);
const ELEMENT_TYPES = new Set([
  'button',
  'checkboxes',
  'datepicker',
  'datetimepicker',
  'timepicker',
  'image',
  'overflow',
  'radio_buttons',
  'plain_text_input',
  'number_input',
  'email_text_input',
  'url_text_input',
  'rich_text_input',
  'file_input',
  'static_select',
  'external_select',
  'users_select',
  'conversations_select',
  'channels_select',
  'multi_static_select',
  'multi_external_select',
  'multi_users_select',
  'multi_conversations_select',
  'multi_channels_select',
  'workflow_button',
]);

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

class Checker {
  readonly problems: string[] = [];
  private readonly blockIds = new Set<string>();
  private readonly actionIds = new Set<string>();

  add(message: string, pointer: string): void {
    this.problems.push(`${message} [json-pointer:${pointer}]`);
  }

  text(value: unknown, pointer: string, max: number, plainOnly = false, required = true): void {
    if (value === undefined) {
      if (required) this.add('missing required field: text', pointer);
      return;
    }
    if (!isObject(value)) return this.add('must provide an object', pointer);
    if (value.type !== 'plain_text' && value.type !== 'mrkdwn')
      return this.add('must be a valid enum value', `${pointer}/type`);
    if (plainOnly && value.type !== 'plain_text') return this.add('must be a valid enum value', `${pointer}/type`);
    if (typeof value.text !== 'string' || value.text.length === 0) {
      return this.add('must be more than 0 characters', `${pointer}/text`);
    }
    if (value.text.length > max) this.add(`must be less than ${max + 1} characters`, `${pointer}/text`);
  }

  maxLen(value: unknown, pointer: string, max: number): void {
    if (typeof value === 'string' && value.length > max) this.add(`must be less than ${max + 1} characters`, pointer);
  }

  element(el: unknown, pointer: string): void {
    if (!isObject(el)) return this.add('must provide an object', pointer);
    if (typeof el.type !== 'string' || !ELEMENT_TYPES.has(el.type)) {
      return this.add(`unsupported type: ${String(el.type)}`, `${pointer}/type`);
    }
    if (el.action_id !== undefined) {
      const id = String(el.action_id);
      this.maxLen(id, `${pointer}/action_id`, LIMITS.actionId);
      if (this.actionIds.has(id)) this.add(`duplicate action_id: ${id}`, `${pointer}/action_id`);
      this.actionIds.add(id);
    }
    if (el.type === 'button') {
      this.text(el.text, `${pointer}/text`, LIMITS.buttonText, true);
      this.maxLen(el.value, `${pointer}/value`, LIMITS.buttonValue);
      this.maxLen(el.url, `${pointer}/url`, LIMITS.buttonUrl);
      if (el.style !== undefined && el.style !== 'primary' && el.style !== 'danger') {
        this.add('must be a valid enum value', `${pointer}/style`);
      }
    }
    if (el.placeholder !== undefined) this.text(el.placeholder, `${pointer}/placeholder`, LIMITS.placeholder, true);
    if (Array.isArray(el.options)) {
      if (el.options.length > LIMITS.options)
        this.add(`no more than ${LIMITS.options} items allowed`, `${pointer}/options`);
      el.options.forEach((opt, i) => {
        const p = `${pointer}/options/${i}`;
        if (!isObject(opt)) return this.add('must provide an object', p);
        this.text(opt.text, `${p}/text`, LIMITS.optionText);
        this.maxLen(opt.value, `${p}/value`, LIMITS.optionValue);
      });
    }
  }

  block(block: unknown, pointer: string): void {
    // Slack: an action_id must be unique among the action_ids of its containing block (block_ids per message).
    this.actionIds.clear();
    if (!isObject(block)) return this.add('must provide an object', pointer);
    if (typeof block.type !== 'string' || !BLOCK_TYPES.has(block.type)) {
      return this.add(`unsupported type: ${String(block.type)}`, `${pointer}/type`);
    }
    if (block.block_id !== undefined) {
      const id = String(block.block_id);
      this.maxLen(id, `${pointer}/block_id`, LIMITS.blockId);
      if (this.blockIds.has(id)) this.add(`duplicate block_id: ${id}`, `${pointer}/block_id`);
      this.blockIds.add(id);
    }
    switch (block.type) {
      case 'section':
        this.section(block, pointer);
        break;
      case 'header':
        this.text(block.text, `${pointer}/text`, LIMITS.headerText, true);
        break;
      case 'actions':
        this.list(block.elements, `${pointer}/elements`, LIMITS.actionsElements, (el, p) => this.element(el, p));
        break;
      case 'context':
        this.list(block.elements, `${pointer}/elements`, LIMITS.contextElements, (el, p) => {
          if (isObject(el) && (el.type === 'plain_text' || el.type === 'mrkdwn')) this.text(el, p, LIMITS.sectionText);
          else if (!isObject(el) || el.type !== 'image') this.add('must be a text or image element', p);
        });
        break;
      case 'input':
        this.text(block.label, `${pointer}/label`, LIMITS.inputLabel, true);
        if (block.hint !== undefined) this.text(block.hint, `${pointer}/hint`, LIMITS.inputLabel, true);
        this.element(block.element, `${pointer}/element`);
        break;
      case 'image':
        if (typeof block.alt_text !== 'string') this.add('missing required field: alt_text', pointer);
        break;
      default:
        break;
    }
  }

  private section(block: Json, pointer: string): void {
    if (block.text === undefined && block.fields === undefined) {
      this.add('must define either `text` or `fields`', pointer);
    }
    if (block.text !== undefined) this.text(block.text, `${pointer}/text`, LIMITS.sectionText);
    if (block.fields !== undefined) {
      this.list(block.fields, `${pointer}/fields`, LIMITS.sectionFields, (f, p) =>
        this.text(f, p, LIMITS.sectionFieldText),
      );
    }
    if (block.accessory !== undefined) this.element(block.accessory, `${pointer}/accessory`);
  }

  list(value: unknown, pointer: string, max: number, each: (item: unknown, pointer: string) => void): void {
    if (!Array.isArray(value)) return this.add('must provide an array', pointer);
    if (value.length === 0) return this.add('must provide at least 1 item', pointer);
    if (value.length > max) this.add(`no more than ${max} items allowed`, pointer);
    value.forEach((item, i) => each(item, `${pointer}/${i}`));
  }
}

/** Problems with a message's blocks (empty when valid). `blocks` must already be an array. */
export function validateMessageBlocks(blocks: unknown[]): string[] {
  const checker = new Checker();
  if (blocks.length > LIMITS.messageBlocks)
    checker.add(`no more than ${LIMITS.messageBlocks} items allowed`, '/blocks');
  blocks.forEach((b, i) => checker.block(b, `/blocks/${i}`));
  return checker.problems;
}

/** Problems with a modal or home view object (empty when valid). */
export function validateView(view: unknown): string[] {
  const checker = new Checker();
  if (!isObject(view)) {
    checker.add('must provide an object', '/view');
    return checker.problems;
  }
  if (view.type !== 'modal' && view.type !== 'home') {
    checker.add('must be a valid enum value', '/view/type');
    return checker.problems;
  }
  if (view.type === 'modal') {
    checker.text(view.title, '/view/title', LIMITS.viewTitle, true);
    if (view.submit !== undefined) checker.text(view.submit, '/view/submit', LIMITS.viewSubmit, true);
    if (view.close !== undefined) checker.text(view.close, '/view/close', LIMITS.viewClose, true);
  }
  checker.maxLen(view.private_metadata, '/view/private_metadata', LIMITS.privateMetadata);
  checker.maxLen(view.callback_id, '/view/callback_id', LIMITS.callbackId);
  checker.maxLen(view.external_id, '/view/external_id', LIMITS.externalId);
  if (!Array.isArray(view.blocks)) {
    checker.add('must provide an array', '/view/blocks');
    return checker.problems;
  }
  if (view.blocks.length > LIMITS.viewBlocks)
    checker.add(`no more than ${LIMITS.viewBlocks} items allowed`, '/view/blocks');
  view.blocks.forEach((b, i) => checker.block(b, `/view/blocks/${i}`));
  const hasInput = view.blocks.some((b) => isObject(b) && b.type === 'input');
  if (view.type === 'modal' && hasInput && view.submit === undefined) {
    checker.add('must provide submit when an input block is present', '/view/submit');
  }
  return checker.problems;
}

/** Slack fills in missing block_id / action_id values; interactions then carry them. */
export function fillBlockIds(blocks: Json[], randomId: () => string): Json[] {
  return blocks.map((block) => {
    const copy: Json = { ...block, block_id: block.block_id ?? randomId() };
    const fill = (el: unknown): unknown =>
      isObject(el) && ELEMENT_TYPES.has(String(el.type)) && el.action_id === undefined
        ? { ...el, action_id: randomId() }
        : el;
    if (Array.isArray(copy.elements) && copy.type === 'actions') copy.elements = copy.elements.map(fill);
    if (copy.accessory !== undefined) copy.accessory = fill(copy.accessory);
    if (copy.element !== undefined) copy.element = fill(copy.element);
    return copy;
  });
}
