// pdf-parse's entry point reads a test PDF when loaded without a parent module (its debug mode);
// its library file does not. Same function, same types.
declare module 'pdf-parse/lib/pdf-parse.js' {
  import pdfParse from 'pdf-parse';
  export = pdfParse;
}
