/**
 * The bot token scopes each Web API method the bot calls needs (Slack's method reference). The manifest
 * requests exactly the union over the methods production code calls; a test keeps the three in step.
 */
export const methodScopes: Readonly<Record<string, readonly string[]>> = {
  'auth.test': [],
  'chat.postMessage': ['chat:write'],
  'chat.update': ['chat:write'],
  'chat.postEphemeral': ['chat:write'],
  'chat.getPermalink': [],
  'views.open': [],
  'views.publish': [],
  'views.update': [],
  'views.push': [],
  'conversations.create': ['channels:manage'],
  'conversations.invite': ['channels:manage'],
  'conversations.setTopic': ['channels:manage'],
  'conversations.setPurpose': ['channels:manage'],
  'conversations.info': ['channels:read'],
  // War rooms are found by name among public and private channels.
  'conversations.list': ['channels:read', 'groups:read'],
  // The outbox finds its own earlier post by message metadata after Slack lost the answer to a post,
  // so a retry never posts twice: top-level posts in the channel's history, replies in their thread.
  'conversations.history': ['channels:history', 'groups:history'],
  'conversations.replies': ['channels:history', 'groups:history'],
  'pins.add': ['pins:write'],
  'usergroups.list': ['usergroups:read'],
  'usergroups.users.list': ['usergroups:read'],
  // Uploads go in Slack's three steps (reserve, send the bytes, share): the outbox records the reserved id.
  'files.getUploadURLExternal': ['files:write'],
  'files.completeUploadExternal': ['files:write'],
};

/** Scopes that no Web API method needs but a feature does. */
export const featureScopes: Readonly<Record<string, string>> = {
  commands: 'the /eafix slash command',
};
