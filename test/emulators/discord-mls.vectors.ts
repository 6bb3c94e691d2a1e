/**
 * DAVE payloads Discord's voice gateway sent in a live session, as recorded in Snazzah/davey
 * `davey-node/test/session.test.ts` (commit c97158f): channel 927310423890473011, the proposal adds
 * user 158533742254751744. The sequence number and opcode bytes are stripped, as in that file.
 */
const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** op 25: ExternalSender (signature key, basic credential with identity `00`). */
export const LIVE_EXTERNAL_SENDER = hex(`
  4041
  04ca1a2b102501d0672bd45ed74ffb83e078b2ba5b12c3f69fad56f083b6a35fc989c6736b5852b5aecdfcdf206e156d3d1dba8e3e5b2f89fc0c16
  f11614e84e4a
  0001 0100`);

/** op 27 after the operation type: `proposal_messages<V>` with one external Add proposal. */
export const LIVE_APPENDING_PROPOSALS = hex(`
  41f0 0001 0001 08 0cde77eadc823033 0000000000000000 02 00000000 00 02 0001
  0001 0002 4041
  04a61acd34ff0548e6f767cc4df9619b51ba5814d52ee558284fc554405768e9e741ba32276414941b7c0190dcb5dfc3349a168f1247ecbdf6fc69
  f3eecab3765d
  4041
  04f44da24e5aa9f73796fa38be115556e6b7d4f6ba55d2ecc3f1b9d198af6237e3fc8fc635996b6c76e77b4acace33f5cfd745ad0d540dd6f03f0d
  a85c82e14714
  4041
  04e7793985ed074af49568b53cf2e3974688279f02ee8d7c7df099ce3c7a1a28e747f59a7c7c23e9ef4f7815fb3469f39ea124f8b76712c41b763a
  55b867e6b48b
  0001 08 0233399940020000 02 0001 02 0002 00 00 02 0001 01 0000000000000000 ffffffffffffffff 00
  4048
  3046022100d874dc777d4ede7e6d3374f737bc1394ac0ffd0635abdc9d02b3e359e059466a022100e62e97aefd5c6b32ff0ac5c5159dbe94f6f5a0
  1bd0dd14a9dcc4d1e6248972ac
  00
  4047
  304502205168abdf8d83a48daf8d5960afb305022de707c7496087feb43004c9fd2be5e80221008312a6f6df1ff593671a39f9966f6d1caef43e0c
  6d53c74300ba089ceeecfbf4
  4047
  3045022100cdbe804ba06a9be17615fe3c7f9055f31a6d0ea9402dd9fda6d109e9a3cb632b022067409e59f6b7f0a3eddd330a092a6c13d99d12ab
  aebe0d6d40a0dae435c2a7a2`);

/** op 27 after the operation type: `proposal_refs<V>` revoking the proposal above. */
export const LIVE_REVOKING_PROPOSALS = hex(`21 20 62386ffb20b28f556b2465c0a2520ba2b074fca00e94b2fdebc0496d544cd6c0`);
