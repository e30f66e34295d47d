"""Process diagrams as SVG, drawn on the server from the BPMNDI, with the path a case took."""
