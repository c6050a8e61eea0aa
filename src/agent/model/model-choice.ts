/**
 * Which model a repository's review runs on. The Gemini key is the operator's, so the operator
 * decides which models it pays for: a repository's `agent.model` is used only when it is on the
 * operator's allow-list (DATA_ENGINEER_AGENT_MODELS); without that list, only the server's own
 * model is allowed. A model that is not allowed is replaced by the server's, with the reason.
 */

export interface ModelChoice {
  model: string;
  /** Why the repository's `agent.model` was not used, when it was not. */
  refused?: string;
}

export function chooseModel(requested: string | undefined, serverModel: string, allowed: readonly string[] | undefined): ModelChoice {
  if (requested === undefined || requested === serverModel) return { model: serverModel };
  if (allowed?.includes(requested)) return { model: requested };
  return {
    model: serverModel,
    refused: `the repository's agent.model ${requested} is not among the models this server allows (DATA_ENGINEER_AGENT_MODELS), so ${serverModel} was used`,
  };
}
