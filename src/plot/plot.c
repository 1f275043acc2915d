/* placeholder */ typedef int actlab_plot_placeholder;
