import { AppError } from '../app-error.ts';
import type { SlackClient } from './slack-client.ts';
import { callSlack } from './slack-errors.ts';

export interface SlackFileUpload {
  channel: string;
  thread_ts?: string | undefined;
  filename: string;
  content: string | Buffer;
  title?: string | undefined;
  initial_comment?: string | undefined;
}

/**
 * An upload in Slack's three steps: reserve a file, send its bytes, share it in `channelId`. `reserved` is
 * told the file's id before its bytes go, so the caller can record it before the file can appear anywhere.
 */
export async function uploadInThreeSteps(
  client: SlackClient,
  channelId: string,
  file: SlackFileUpload,
  reserved: (fileId: string) => Promise<void>,
  bytesTimeoutMs = 30_000,
): Promise<{ fileId: string }> {
  const bytes = typeof file.content === 'string' ? Buffer.from(file.content, 'utf8') : file.content;
  const slot = await callSlack('files.getUploadURLExternal', () =>
    client.files.getUploadURLExternal({ filename: file.filename, length: bytes.length }),
  );
  const fileId = String(slot.file_id);
  await reserved(fileId);
  await sendBytes(String(slot.upload_url), file.filename, bytes, bytesTimeoutMs);
  await callSlack('files.completeUploadExternal', () =>
    client.files.completeUploadExternal({
      files: [{ id: fileId, title: file.title ?? file.filename }],
      channel_id: channelId,
      ...(file.thread_ts ? { thread_ts: file.thread_ts } : {}),
      ...(file.initial_comment ? { initial_comment: file.initial_comment } : {}),
    }),
  );
  return { fileId };
}

/** The file's bytes to the URL Slack reserved, as WebClient.filesUploadV2 sends them (one multipart part). */
async function sendBytes(url: string, filename: string, bytes: Buffer, timeoutMs: number): Promise<void> {
  const form = new FormData();
  form.append('body', new Blob([new Uint8Array(bytes)]), filename);
  const res = await fetch(url, {
    method: 'POST',
    body: form,
    redirect: 'error',
    signal: AbortSignal.timeout(timeoutMs),
  });
  await res.arrayBuffer();
  if (res.status !== 200)
    throw new AppError('slack_upload_failed', `Slack did not take the file's content (HTTP ${res.status}).`, {
      kind: 'upstream',
    });
}
