/** esbuild bundles CSS imported by components into app.css (web/build.ts). */
declare module '*.css';
