// Package notify posts messages out of the console: today to a team's group-chat robot in
// WeCom (企业微信群机器人) and DingTalk (钉钉自定义机器人); later SMS and e-mail on the same
// footing.
//
// A Channel sends one message and says how an attempt failed (see Failure). The Poster is
// the runner in front of the channels: a bounded queue per channel, a rolling rate limit per
// channel (the robots allow about 20 messages a minute), merging of what waits when the
// limit is reached, retries with backoff, and a report of every delivery state so that the
// core can journal it. Nothing here ever writes a robot's key, token or secret into an error,
// a delivery or the log.
//
// notify is an adapter: it imports app and the standard library only.
package notify
