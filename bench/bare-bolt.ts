import { App, HTTPReceiver } from "@slack/bolt";

/** The baseline for the Slack benchmark: a Bolt app that only acknowledges. */
const receiver = new HTTPReceiver({ signingSecret: process.env.SLACK_SIGNING_SECRET!, endpoints: "/slack/events" });
const app = new App({ token: "xoxb-bare", receiver, tokenVerificationEnabled: false, botId: "B0", botUserId: "U0" });
app.command(/.*/, async ({ ack }) => {
  await ack();
});
const server = await receiver.start(0);
process.stdout.write(`port ${(server.address() as { port: number }).port}\n`);
