/** Stylesheets imported as text (esbuild's text loader), for shadow roots. */
declare module "*.css" {
  const text: string;
  export default text;
}
