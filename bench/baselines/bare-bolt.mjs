// Baseline: the smallest Bolt app a team would write for /eafix. It acks the slash command, and for an
// approval click it acks and posts one reply in the message's thread. PORT, SLACK_SIGNING_SECRET,
// SLACK_BOT_TOKEN and SLACK_API_URL as for the bot; GET /readyz answers once it listens.
import bolt from '@slack/bolt';

const { App, HTTPReceiver } = bolt;
const receiver = new HTTPReceiver({
  signingSecret: process.env.SLACK_SIGNING_SECRET,
  customRoutes: [{ path: '/readyz', method: ['GET'], handler: (_req, res) => res.writeHead(200).end('ok') }],
});
const app = new App({ token: process.env.SLACK_BOT_TOKEN, receiver, clientOptions: { slackApiUrl: process.env.SLACK_API_URL } });
app.command('/eafix', async ({ ack }) => ack());
app.action('approval:approve', async ({ ack, body, client }) => {
  await ack();
  await client.chat.postMessage({ channel: body.channel.id, thread_ts: body.container.message_ts, text: 'baseline progress' });
});
await app.start(Number(process.env.PORT));
process.on('SIGTERM', () => app.stop().finally(() => process.exit(0)));
