import { bySubcommand } from '../components.ts';
import { limits, usage } from './spendReport.ts';
import { design } from './voiceDesign.ts';
import { info, list, remove, setDefault, use } from './voiceManage.ts';
import { tune } from './voiceTune.ts';

/** `/voice …`: dispatches to the subcommand. */
export const voice = bySubcommand('voice', {
  design,
  list,
  info,
  delete: remove,
  use,
  tune,
  default: setDefault,
  usage,
  limits,
});
