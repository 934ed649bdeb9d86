/**
 * `r` of an agent: resume its session, or start it fresh in the same folder when there is nothing
 * to resume — the session was never bound (codex learns its id only at the first prompt), or
 * lifeline is sure the agent has no transcript for it (nothing was typed before it ended). When
 * unsure, it resumes: the agent itself then says what it knows.
 */
import { type AgentLaunch, agentOf, freshAgentStart } from './argv.js';
import { transcriptState } from './transcripts.js';

export type AgentStart =
  | { readonly mode: 'resume'; readonly agent: string; readonly session: string }
  | { readonly mode: 'fresh'; readonly agent: string; readonly why: string; readonly launch: AgentLaunch };

export interface AgentStartInput {
  /** The command line the instance ran (its `argv` column). */
  readonly argv: readonly string[];
  /** The resume template, or null. */
  readonly template: readonly string[] | null;
  /** The `session` binding the resume would use, if any. */
  readonly session: string | undefined;
  /** True when the user named the session for this resume (`r --bind session=…`): it is trusted as is. */
  readonly sessionGiven: boolean;
  readonly env?: NodeJS.ProcessEnv;
  readonly newId?: () => string;
}

/** Null when the instance is no agent, or its resume does not depend on a session. */
export function chooseAgentStart(input: AgentStartInput): AgentStart | null {
  const agent = agentOf(input.argv);
  if (agent === null || input.template === null || !input.template.some((word) => word.includes('{session}'))) return null;
  const fresh = (why: string): AgentStart | null => {
    const launch = freshAgentStart(input.argv, input.newId);
    return launch === null ? null : { mode: 'fresh', agent: agent.name, why, launch };
  };
  if (input.session === undefined) {
    const when = agent.presetSessionOption === null ? `; ${agent.name} tells it at the first prompt` : '';
    return fresh(`its session was never recorded${when}`);
  }
  if (!input.sessionGiven && transcriptState(agent.name, input.session, input.env) === 'absent') {
    return fresh(`${agent.name} has no transcript of session ${input.session}: nothing was typed before it ended`);
  }
  return { mode: 'resume', agent: agent.name, session: input.session };
}
