// For tools that can only add classic <script src="…"> tags (mdBook's
// additional-js, some CMSs): loads norm-scope.js from next to this file.
(() => {
  const here = document.currentScript ? document.currentScript.src : document.baseURI;
  import(new URL('norm-scope.js', here).href).catch((error) => console.error(`normscope: ${error.message}`));
})();
