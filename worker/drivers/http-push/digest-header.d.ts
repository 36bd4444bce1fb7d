// digest-header (node-modules/digest-header, MIT) ships no types: its one function.
declare module 'digest-header' {
  /** The Authorization value answering `wwwAuthenticate` (MD5, qop=auth or none); '' without realm and nonce. */
  export default function digestAuthHeader(
    method: string,
    uri: string,
    wwwAuthenticate: string,
    userpass: string,
  ): string;
}
