/** The portal's entry point: renders the app into the page the server sent. */
import { render } from 'preact';
import { App } from './app';
import { closeDisclosureOnEscape } from './ui';
import './styles.css';

document.addEventListener('keydown', closeDisclosureOnEscape);
render(<App />, document.getElementById('app')!);
