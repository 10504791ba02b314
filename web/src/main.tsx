/** The portal's entry point: renders the app into the page the server sent. */
import { render } from 'preact';
import { App } from './app';
import './styles.css';

render(<App />, document.getElementById('app')!);
