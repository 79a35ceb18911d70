/** What `help` prints: every console command and what it does. */
export const CONSOLE_HELP = `Console commands:
  /eafix <action> [args]   run a command as the current user in the current channel
  /as <user>               act as alice, bob, carol or dave
  /in #<channel>           switch channel (#eafix-ops, #eafix-incidents, #security, or any the bot created;
                           a prefix such as #inc- picks the newest matching war room)
  press <n | label>        press button n, or the latest button with that label
  submit <text>            fill the open modal's first field with <text> and submit it
  submit field=value ...   fill the modal's named fields (block id or label; quote values with spaces,
                           commas for several options, * ticks them all; prefilled fields keep their
                           values) and submit it
  wait [seconds]           wait until nothing earlier lines started is still going: requests, runs, jobs,
                           war-room set-up (first letting that many seconds pass, for timers); fails after 2 min
  replay                   send the last request to the bot again, byte for byte (an attacker's replay)
  expect <text>            the previous line's output must contain <text>
  expect-error <text>      the previous line must have ended in an error or refusal saying <text>
                           (any other error or refusal fails a script)
  /digests on|off          post the policy's digests on their schedules (off in the console until asked)
  reset                    start again from a clean world: database, Redis, Slack and cluster
  help, quit`;
