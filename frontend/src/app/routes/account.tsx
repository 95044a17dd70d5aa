// placeholder: replaced by the screen's implementation
export default function Placeholder() {
  return <p>account</p>;
}
